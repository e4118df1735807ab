//! The plan of a site claiming a domain: a domain belongs to one site at a time, and a
//! refusal names who holds it, on every backend alike.

use crate::{DomainClaim, StoreError, StoreResult};

/// The unique index that holds a domain to one site: a backend that meets its violation
/// (two deploys racing for one domain) answers [`domain_race_lost`].
pub const DOMAIN_INDEX: &str = "sites_by_domain";

/// Whether `site` may make live a deployment claiming `domain`, which `holder` (read in the
/// same transaction) holds now. A site keeps its own domain; no domain claims nothing.
pub fn claim_domain(
    site: &str,
    domain: Option<&str>,
    holder: Option<DomainClaim>,
) -> StoreResult<()> {
    match (domain, holder) {
        (Some(domain), Some(holder)) if holder.slug != site => {
            let owner = holder
                .owner_agent
                .map(|agent| format!(" of {agent}"))
                .unwrap_or_default();
            Err(StoreError::Conflict(format!(
                "the domain {domain} belongs to the site {}{owner}; a site may claim it once that site's live deployment no longer names it",
                holder.slug
            )))
        }
        _ => Ok(()),
    }
}

/// What a deploy that lost a race for `domain` says: another site claimed it in a
/// transaction that committed first.
pub fn domain_race_lost(domain: &str) -> StoreError {
    StoreError::Conflict(format!(
        "the domain {domain} was claimed by another site at the same moment; nothing of this deployment was made live"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held_by(slug: &str, owner: Option<&str>) -> Option<DomainClaim> {
        Some(DomainClaim {
            domain: "www.acme.test".into(),
            slug: slug.into(),
            owner_agent: owner.map(str::to_owned),
        })
    }

    #[test]
    fn a_domain_another_site_holds_is_refused_naming_the_site_and_its_owner() {
        let refused = claim_domain(
            "rival",
            Some("www.acme.test"),
            held_by("acme", Some("agent_a")),
        );
        let Err(StoreError::Conflict(message)) = refused else {
            panic!("{refused:?}")
        };
        assert!(
            message.contains("www.acme.test belongs to the site acme of agent_a"),
            "{message}"
        );
        let unowned = claim_domain("rival", Some("www.acme.test"), held_by("acme", None));
        assert!(matches!(unowned, Err(StoreError::Conflict(m)) if m.contains("site acme;")));
    }

    #[test]
    fn a_site_keeps_its_own_domain_and_no_domain_claims_nothing() {
        assert!(
            claim_domain(
                "acme",
                Some("www.acme.test"),
                held_by("acme", Some("agent_a"))
            )
            .is_ok()
        );
        assert!(claim_domain("acme", Some("www.acme.test"), None).is_ok());
        assert!(claim_domain("rival", None, held_by("acme", None)).is_ok());
    }
}
