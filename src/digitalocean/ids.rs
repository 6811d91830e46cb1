//! DigitalOcean ids (UUIDs), taken as a `Uuid` or as text, as the generated builders take them.

use crate::error::{Error, Result};
use crate::transport::quoted;

/// A DigitalOcean id given to a helper: a [`uuid::Uuid`] (`cluster.id`) or its text
/// (`"bd5f5959-5e1e-4205-a714-a914373942af"`, from a command line or a file). Text that is not
/// a UUID is [`Error::InvalidInput`], before anything is sent.
pub trait IntoUuid {
    /// The id as a `Uuid`, or why it is not one.
    fn into_uuid(self) -> Result<uuid::Uuid>;
}

impl IntoUuid for uuid::Uuid {
    fn into_uuid(self) -> Result<uuid::Uuid> {
        Ok(self)
    }
}

impl IntoUuid for &uuid::Uuid {
    fn into_uuid(self) -> Result<uuid::Uuid> {
        Ok(*self)
    }
}

impl IntoUuid for &str {
    fn into_uuid(self) -> Result<uuid::Uuid> {
        uuid::Uuid::try_parse(self.trim()).map_err(|_| {
            Error::InvalidInput(format!(
                "{} is not a DigitalOcean id: ids are UUIDs such as `bd5f5959-5e1e-4205-a714-a914373942af`",
                quoted(self)
            ))
        })
    }
}

impl IntoUuid for &String {
    fn into_uuid(self) -> Result<uuid::Uuid> {
        self.as_str().into_uuid()
    }
}

impl IntoUuid for String {
    fn into_uuid(self) -> Result<uuid::Uuid> {
        self.as_str().into_uuid()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uuid_or_its_text_is_accepted_and_anything_else_is_refused_by_name() {
        let id = uuid::Uuid::parse_str("bd5f5959-5e1e-4205-a714-a914373942af").unwrap();
        assert_eq!(id.into_uuid().unwrap(), id);
        assert_eq!((&id).into_uuid().unwrap(), id);
        assert_eq!(id.to_string().into_uuid().unwrap(), id);
        assert_eq!((&id.to_string()).into_uuid().unwrap(), id);
        assert_eq!(
            " bd5f5959-5e1e-4205-a714-a914373942af\n"
                .into_uuid()
                .unwrap(),
            id
        );
        for bad in ["", "..", "my-cluster", "bd5f5959-5e1e-4205-a714"] {
            let error = bad.into_uuid().unwrap_err();
            assert!(
                matches!(&error, Error::InvalidInput(m) if m.contains("not a DigitalOcean id"))
            );
        }
        let long = "x".repeat(10_000);
        let message = long.as_str().into_uuid().unwrap_err().to_string();
        assert!(
            message.len() < 300,
            "hostile input is cut: {} bytes",
            message.len()
        );
        let forged = "a\nERROR forged line".into_uuid().unwrap_err().to_string();
        assert!(!forged.contains('\n'));
    }
}
