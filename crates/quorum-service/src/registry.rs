//! The workflow-type registry: definitions stored versioned, compiled once per version.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use quorum_domain::{FieldError, Principal, Role, WorkflowTypeDefinition};
use quorum_steps::Handlers;
use quorum_store::{NewTypeVersion, Store, StoreError, TypeRecord};
use serde_json::Value;

use crate::{ServiceError, ServiceResult, auth};

/// The definitions every Quorum ships with, registered at start.
pub const BUILTIN_TYPES: [&str; 8] = [
    include_str!("../../../types/website.create_basic_site.json"),
    include_str!("../../../types/website.create_landing_page.json"),
    include_str!("../../../types/website.create_affiliate_site.json"),
    include_str!("../../../types/website.create_ecommerce_store.json"),
    include_str!("../../../types/content_scheduler.json"),
    include_str!("../../../types/customer_followup.json"),
    include_str!("../../../types/invoice_reminders.json"),
    include_str!("../../../types/data_entry_automation.json"),
];

/// One version of a type, ready to validate inputs.
pub struct CompiledType {
    pub record: TypeRecord,
    pub definition: WorkflowTypeDefinition,
    pub validator: jsonschema::Validator,
}

/// What registering a definition did.
#[derive(Debug, Clone)]
pub struct Registered {
    pub record: TypeRecord,
    /// False when the definition was identical to the type's latest version, which `record`
    /// then is.
    pub new_version: bool,
}

pub struct Registry {
    store: Arc<dyn Store>,
    handlers: Arc<Handlers>,
    compiled: RwLock<HashMap<(String, i64), Arc<CompiledType>>>,
}

fn parse(definition: &Value) -> ServiceResult<WorkflowTypeDefinition> {
    serde_json::from_value(definition.clone()).map_err(|e| {
        ServiceError::invalid_field(
            "",
            "definition",
            format!("the workflow type definition does not parse: {e}"),
        )
    })
}

/// The steps whose handler this build does not have. The seed's four other types name
/// handlers no release has yet: they are registered (their history shows in analytics) but
/// new workflows of them are refused.
fn unknown_handlers(handlers: &Handlers, definition: &WorkflowTypeDefinition) -> Vec<FieldError> {
    definition
        .steps
        .iter()
        .enumerate()
        .filter(|(_, step)| !handlers.contains(&step.handler))
        .map(|(i, step)| {
            FieldError::new(
                format!("steps.{i}.handler"),
                "handler",
                format!(
                    "no step handler named {:?}; known handlers: {}",
                    step.handler,
                    handlers.names().collect::<Vec<_>>().join(", ")
                ),
            )
        })
        .collect()
}

impl Registry {
    pub fn new(store: Arc<dyn Store>, handlers: Arc<Handlers>) -> Self {
        Self {
            store,
            handlers,
            compiled: RwLock::new(HashMap::new()),
        }
    }

    pub async fn register_builtin(&self) -> ServiceResult<()> {
        for text in BUILTIN_TYPES {
            let value: Value =
                serde_json::from_str(text).expect("built-in type definitions are valid JSON");
            let definition = parse(&value)?;
            definition
                .compile()
                .map_err(|details| ServiceError::invalid("a built-in type is invalid", details))?;
            let executable = unknown_handlers(&self.handlers, &definition).is_empty();
            self.store_version(&definition.id, value, executable)
                .await?;
        }
        Ok(())
    }

    async fn store_version(
        &self,
        id: &str,
        definition: Value,
        executable: bool,
    ) -> ServiceResult<TypeRecord> {
        let new = NewTypeVersion {
            id: id.to_owned(),
            definition,
            executable,
            registered_at: quorum_domain::time::now(),
        };
        match self.store.register_type(new.clone()).await {
            // Another process registered the same version first; ours is then identical or next.
            Err(StoreError::Conflict(_)) => Ok(self.store.register_type(new).await?),
            other => Ok(other?),
        }
    }

    /// Registers a definition as its type's next version (admin); an identical definition
    /// keeps the latest version. 422 names each problem, including steps whose handler this
    /// build does not have.
    pub async fn register(
        &self,
        caller: &Principal,
        definition: Value,
    ) -> ServiceResult<Registered> {
        auth::require(caller, Role::Admin)?;
        let parsed = parse(&definition)?;
        let mut details = parsed.compile().err().unwrap_or_default();
        details.extend(unknown_handlers(&self.handlers, &parsed));
        if !details.is_empty() {
            return Err(ServiceError::invalid(
                "the workflow type definition is invalid",
                details,
            ));
        }
        let previous = self
            .store
            .get_type(&parsed.id, None)
            .await
            .ok()
            .map(|r| r.version);
        let record = self.store_version(&parsed.id, definition, true).await?;
        Ok(Registered {
            new_version: previous != Some(record.version),
            record,
        })
    }

    /// A version of a type (the latest when `version` is None), compiled.
    pub async fn get(&self, id: &str, version: Option<i64>) -> ServiceResult<Arc<CompiledType>> {
        if let Some(version) = version
            && let Some(found) = self.cached(id, version)
        {
            return Ok(found);
        }
        let record = self
            .store
            .get_type(id, version)
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => {
                    ServiceError::NotFound(format!("there is no workflow type {id:?}"))
                }
                other => other.into(),
            })?;
        if let Some(found) = self.cached(id, record.version) {
            return Ok(found);
        }
        let definition = parse(&record.definition)?;
        let validator = definition.compile().map_err(|details| {
            ServiceError::invalid(format!("stored type {id} no longer compiles"), details)
        })?;
        let compiled = Arc::new(CompiledType {
            record,
            definition,
            validator,
        });
        let key = (id.to_owned(), compiled.record.version);
        self.compiled
            .write()
            .expect("registry lock")
            .insert(key, compiled.clone());
        Ok(compiled)
    }

    fn cached(&self, id: &str, version: i64) -> Option<Arc<CompiledType>> {
        self.compiled
            .read()
            .expect("registry lock")
            .get(&(id.to_owned(), version))
            .cloned()
    }

    pub async fn list(&self) -> ServiceResult<Vec<TypeRecord>> {
        Ok(self.store.list_types().await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_types_compile_and_only_the_website_family_is_executable() {
        for text in BUILTIN_TYPES {
            let definition = parse(&serde_json::from_str(text).unwrap()).unwrap();
            definition
                .compile()
                .unwrap_or_else(|e| panic!("{}: {e:?}", definition.id));
            let executable = unknown_handlers(&Handlers::builtin(), &definition).is_empty();
            assert_eq!(
                executable,
                definition.id.starts_with("website."),
                "{}",
                definition.id
            );
        }
    }

    #[test]
    fn the_website_type_computes_the_seeds_savings() {
        let definition = parse(&serde_json::from_str(BUILTIN_TYPES[0]).unwrap()).unwrap();
        let savings = definition.savings_model.to_json();
        assert_eq!(
            (
                savings["weekly_savings"].as_f64(),
                savings["annual_savings"].as_f64()
            ),
            (Some(225.0), Some(11700.0))
        );
        assert_eq!(definition.steps.len(), 8);
    }
}
