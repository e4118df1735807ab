//! The plan of registering a workflow type's definition: a new version only when it changed.

use crate::{NewTypeVersion, TypeRecord};

/// What registering a definition comes to.
#[derive(Debug, Clone, PartialEq)]
pub enum Registration {
    /// The latest version is this very definition: nothing to store.
    Unchanged(TypeRecord),
    /// The version to insert, one after the latest.
    Next(TypeRecord),
}

/// Registers `new` after the type's `latest` version, if any.
pub fn register_type(latest: Option<TypeRecord>, new: NewTypeVersion) -> Registration {
    match latest {
        Some(latest)
            if latest.definition == new.definition && latest.executable == new.executable =>
        {
            Registration::Unchanged(latest)
        }
        latest => Registration::Next(TypeRecord {
            id: new.id,
            version: latest.map_or(1, |l| l.version + 1),
            definition: new.definition,
            executable: new.executable,
            registered_at: new.registered_at,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_changed_definition_is_the_next_version_and_an_equal_one_is_not() {
        let new = |definition| NewTypeVersion {
            id: "test.echo".into(),
            definition,
            executable: true,
            registered_at: crate::plan::tests::at(),
        };
        let Registration::Next(first) = register_type(None, new(json!({"name": "Echo"}))) else {
            panic!("a first definition is stored")
        };
        assert_eq!(first.version, 1);
        assert_eq!(
            register_type(Some(first.clone()), new(json!({"name": "Echo"}))),
            Registration::Unchanged(first.clone())
        );
        let Registration::Next(second) = register_type(Some(first), new(json!({"name": "Echo 2"})))
        else {
            panic!("a changed definition is stored")
        };
        assert_eq!(second.version, 2);
    }
}
