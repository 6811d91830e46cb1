//! probe
crate::generated_provider!("digitalocean");
