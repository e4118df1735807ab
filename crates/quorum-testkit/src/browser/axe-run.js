// Body of a WebDriver "execute async" script: runs axe-core (already injected as
// window.axe) on the whole document and hands back the violations in the shape
// `AxeViolation` deserializes. The last argument is WebDriver's completion callback.
const done = arguments[arguments.length - 1];
axe
  .run(document, {
    runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
    // Only violations are reported, so axe may skip collecting every passing node.
    resultTypes: ['violations'],
  })
  .then((results) =>
    done({
      violations: results.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        helpUrl: violation.helpUrl,
        nodes: violation.nodes.map((node) => ({
          // A target is a CSS selector, or a list of them for elements in frames or
          // shadow roots; a list is joined so every target reads as one string.
          target: node.target.map((part) => (Array.isArray(part) ? part.join(' ') : String(part))),
          html: node.html,
          failureSummary: node.failureSummary || null,
        })),
      })),
    }),
  )
  .catch((error) => done({ error: String((error && error.stack) || error) }));
