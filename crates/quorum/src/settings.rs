//! Loads the configuration: config/default.toml (built in), then `--config FILE`, then
//! `QUORUM_*` environment variables, then flags; and checks it, naming any bad key.

use std::path::Path;

use anyhow::Context as _;
use figment::Figment;
use figment::providers::{Env, Format as _, Serialized, Toml};
use quorum_gateway::GatewayConfig;

use crate::ConfigArgs;

/// The defaults, as shipped in config/default.toml.
pub(crate) const DEFAULT_TOML: &str = include_str!("../../../config/default.toml");

/// Loads and validates the configuration; `overrides` are flag values as TOML keys.
pub(crate) fn load(
    args: &ConfigArgs,
    overrides: &[(&str, figment::value::Value)],
) -> anyhow::Result<GatewayConfig> {
    let mut figment = Figment::new().merge(Toml::string(DEFAULT_TOML));
    if let Some(file) = &args.config {
        if !file.exists() {
            anyhow::bail!("the configuration file {} does not exist", file.display());
        }
        figment = figment.merge(Toml::file_exact(file));
    }
    // The web app's developer folder is read by `quorum-web` itself, not a setting.
    let dev_dir = quorum_web::DEV_DIR_VARIABLE.trim_start_matches("QUORUM_");
    figment = figment.merge(Env::prefixed("QUORUM_").ignore(&[dev_dir]).split("__"));
    if let Some(data) = &args.data {
        figment = figment.merge(Serialized::default("data", data_value(data)));
    }
    for (key, value) in overrides {
        figment = figment.merge(Serialized::default(key, value.clone()));
    }
    let config: GatewayConfig = figment.extract().map_err(|error| {
        let key = error.path.join(".");
        anyhow::anyhow!(
            "invalid configuration{}: {error}",
            if key.is_empty() {
                String::new()
            } else {
                format!(" at `{key}`")
            }
        )
    })?;
    config.validate().context("invalid configuration")?;
    Ok(config)
}

fn data_value(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::result_large_err,
        reason = "a test that panics is a failed test; figment's Jail returns its own large error"
    )]

    use super::*;

    fn args() -> ConfigArgs {
        ConfigArgs {
            config: None,
            data: None,
        }
    }

    #[test]
    fn the_shipped_defaults_match_the_built_in_ones() {
        let shipped: GatewayConfig = Figment::new()
            .merge(Toml::string(DEFAULT_TOML))
            .extract()
            .unwrap();
        let built_in = GatewayConfig::default();
        assert_eq!(format!("{shipped:?}"), format!("{built_in:?}"));
    }

    #[test]
    fn a_bad_value_names_its_key() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("QUORUM_LIMITS__OUTBOUND_QUEUE", "lots");
            let error = load(&args(), &[]).unwrap_err().to_string();
            assert!(error.contains("limits.outbound_queue"), "{error}");
            Ok(())
        });
    }

    #[test]
    fn an_unusable_value_names_its_key() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("QUORUM_LIMITS__HEARTBEAT_MS", "5");
            let error = format!("{:#}", load(&args(), &[]).unwrap_err());
            assert!(error.contains("limits.heartbeat_ms"), "{error}");
            Ok(())
        });
    }

    #[test]
    fn an_unknown_key_is_refused() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("extra.toml", "lisen = \"0.0.0.0:1\"")?;
            let args = ConfigArgs {
                config: Some("extra.toml".into()),
                data: None,
            };
            let error = load(&args, &[]).unwrap_err().to_string();
            assert!(error.contains("lisen"), "{error}");
            Ok(())
        });
    }

    #[test]
    fn environment_overrides_the_file() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("QUORUM_LISTEN", "127.0.0.1:9999");
            assert_eq!(load(&args(), &[]).unwrap().listen.port(), 9999);
            Ok(())
        });
    }

    #[test]
    fn the_shipped_cluster_file_is_a_valid_cluster_node() {
        figment::Jail::expect_with(|jail| {
            let shipped = include_str!("../../../config/cluster.toml");
            jail.create_file("cluster.toml", shipped)?;
            jail.set_env("QUORUM_CLUSTER__NODE", "n2");
            let args = ConfigArgs {
                config: Some("cluster.toml".into()),
                data: None,
            };
            let config = load(&args, &[]).unwrap();
            let cluster = config.cluster.unwrap();
            assert_eq!(cluster.node, "n2");
            assert_eq!(
                config.store.backend,
                quorum_gateway::config::StoreBackend::Postgres
            );
            assert!(config.documents.path.is_some());
            Ok(())
        });
    }

    #[test]
    fn documents_in_postgres_need_the_postgres_log() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("QUORUM_DOCUMENTS__STORAGE", "postgres");
            let error = format!("{:#}", load(&args(), &[]).unwrap_err());
            assert!(error.contains("documents.storage"), "{error}");
            Ok(())
        });
    }

    #[test]
    fn a_cluster_needs_postgres() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("lone.toml", "[cluster]\nnode = \"n1\"\n")?;
            let args = ConfigArgs {
                config: Some("lone.toml".into()),
                data: None,
            };
            let error = format!("{:#}", load(&args, &[]).unwrap_err());
            assert!(error.contains("store.backend"), "{error}");
            Ok(())
        });
    }
}
