//! Sites at their own domains: a website workflow naming a domain another site holds is
//! refused at creation, and a request's `Host` is read as the site it names. The claims live
//! in the database (the store keeps a domain to one site); this process remembers each host
//! it was asked about for at most [`CLAIM_FOR`], so another server's new claim is seen
//! within that bound and a request for Quorum itself costs one hash lookup.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use quorum_domain::WorkflowTypeDefinition;
use quorum_steps::site::{domain_ok, slug_of};
use serde_json::Value;

use crate::site_owners::site_inputs;
use crate::{Quorum, ServiceError, ServiceResult};

/// How long a server may route a host by a claim another process has changed.
const CLAIM_FOR: Duration = Duration::from_secs(1);
/// Hosts one process remembers; past it, it forgets them all (random `Host` headers must not
/// grow it without bound).
const HOSTS: usize = 4_096;

/// The host a request names, by its `Host` header, as claims are kept: without a port or
/// trailing dot, lowercase. None for what no site can claim (an IP address, a bare name such
/// as `localhost`): those never cost a lookup.
pub fn claimable_host(host: &str) -> Option<String> {
    let host = host.trim();
    // `[::1]:8080` and bare IPv6 literals are addresses: no site's.
    if host.starts_with('[') {
        return None;
    }
    let name = host.rsplit_once(':').map_or(host, |(name, _port)| name);
    let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    domain_ok(&name).then_some(name)
}

/// The host part of a URL, lowercase: `https://Quorum.example:8443/x` → `quorum.example`.
fn url_host(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    claimable_host(authority).unwrap_or_else(|| authority.to_ascii_lowercase())
}

/// Each host this process was asked about, with the slug of the site holding it (None for
/// none) and when the database said so.
#[derive(Default)]
pub(crate) struct Claims {
    hosts: Mutex<HashMap<String, (Instant, Option<String>)>>,
}

impl Claims {
    /// Forgets every host: a deploy or rollback through this process is routed at once.
    pub(crate) fn forget(&self) {
        self.hosts.lock().expect("not poisoned").clear();
    }
}

impl Quorum {
    /// The slug of the site a request's `Host` names, when a site's live deployment claims it;
    /// None for Quorum's own host and for every other.
    pub async fn site_for_host(&self, host: &str) -> ServiceResult<Option<String>> {
        let Some(host) = claimable_host(host) else {
            return Ok(None);
        };
        let claims = &self.sites.claims;
        if let Some((at, slug)) = claims.hosts.lock().expect("not poisoned").get(&host)
            && at.elapsed() < CLAIM_FOR
        {
            return Ok(slug.clone());
        }
        // Quorum's own host is never a site's, whatever a claim says.
        let slug = match host == url_host(&self.step_env.public_url) {
            true => None,
            false => self
                .store
                .domain_claim(&host)
                .await?
                .map(|claim| claim.slug),
        };
        let mut hosts = claims.hosts.lock().expect("not poisoned");
        if hosts.len() >= HOSTS {
            hosts.clear();
        }
        hosts.insert(host, (Instant::now(), slug.clone()));
        Ok(slug)
    }

    /// A 422 on `inputs.domain` when the site's domain is Quorum's own host, or another site
    /// holds it (the message names that site and its owner).
    pub(crate) async fn check_site_domain(
        &self,
        definition: &WorkflowTypeDefinition,
        inputs: &Value,
    ) -> ServiceResult<()> {
        let Some(site) = site_inputs(definition, inputs) else {
            return Ok(());
        };
        let Some(domain) = site.domain.as_deref().filter(|d| domain_ok(d)) else {
            return Ok(());
        };
        let refuse = |rule: &str, message: String| {
            Err(ServiceError::invalid_field("inputs.domain", rule, message))
        };
        if domain == url_host(&self.step_env.public_url) {
            return refuse(
                "available",
                format!("the domain {domain} is Quorum's own host; a site cannot claim it"),
            );
        }
        let slug = slug_of(&site);
        match self.store.domain_claim(domain).await? {
            Some(holder) if holder.slug != slug => {
                let owner = holder
                    .owner_agent
                    .map_or_else(|| "no agent".to_owned(), |agent| format!("agent {agent}"));
                refuse(
                    "available",
                    format!(
                        "the domain {domain} belongs to the site {} (owned by {owner}); choose another domain, or deploy {} without it first",
                        holder.slug, holder.slug
                    ),
                )
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_header_is_read_without_port_case_or_trailing_dot() {
        for (header, host) in [
            ("www.acme.test", "www.acme.test"),
            ("WWW.Acme.Test:8080", "www.acme.test"),
            ("www.acme.test.", "www.acme.test"),
            ("www.acme.test.:443", "www.acme.test"),
            (" acme.test ", "acme.test"),
        ] {
            assert_eq!(claimable_host(header).as_deref(), Some(host), "{header}");
        }
        for header in [
            "127.0.0.1:5000",
            "127.0.0.1",
            "[::1]:5000",
            "localhost:5000",
            "",
            "a b.test",
            "acme.test:80:80",
        ] {
            assert_eq!(claimable_host(header), None, "{header}");
        }
    }

    #[test]
    fn the_public_urls_host_is_read_as_a_host_header_would_be() {
        assert_eq!(
            url_host("https://Quorum.Example:8443/base"),
            "quorum.example"
        );
        assert_eq!(url_host("http://127.0.0.1:5000"), "127.0.0.1:5000");
    }
}
