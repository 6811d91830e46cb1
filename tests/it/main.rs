//! kaas's integration tests, as one test binary: one module per concern, sharing `common`.
//! (One binary links once; eleven did so eleven times after every change.)

mod common;

mod anyhow_errors;
mod base_urls;
#[cfg(feature = "cli")]
mod cli;
#[cfg(feature = "cli")]
mod cli_accounts;
#[cfg(feature = "cli")]
mod cli_every_account;
mod cloud66_behaviour;
mod cloud66_contract;
mod commissaire_behaviour;
mod commissaire_contract;
mod digitalocean_behaviour;
mod digitalocean_contract;
mod empty_vs_unset;
mod faults;
mod hostile_input;
mod inventory;
mod inventory_accounts;
mod inventory_listing;
mod kube_client;
mod kubeconfig_file;
mod oks_behaviour;
mod oks_contract;
mod path_segments;
mod properties;
mod rate_limits;
mod secrets;
mod shared;
mod upstream_diff;
mod walks;
