//! The TOML file behind `--config`: every key is a flag's name without its dashes, and sets that
//! flag's default, so a flag or an environment variable still wins over the file.
//!
//! ```toml
//! listen = "0.0.0.0:443"
//! max-peers-per-room = 6
//! ice-server = ["turn:turn.example.org:3478?transport=udp"]
//! relay-only = true
//! ```
//! A key that names no flag, or a value of the wrong shape, is an error naming the file and the
//! key: a typo must not silently leave a limit at its default.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::{ArgMatches, Command, CommandFactory as _, FromArgMatches as _};

use crate::config::Config;

/// The flag that names the file (and so cannot be set in it).
const CONFIG_KEY: &str = "config";

/// Why the configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    Arguments(#[from] clap::Error),
    #[error("cannot read the configuration file {}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        error: std::io::Error,
    },
    #[error("{} is not valid TOML: {message}", .path.display())]
    Syntax { path: PathBuf, message: String },
    #[error("{}: {message}", .path.display())]
    Key { path: PathBuf, message: String },
}

impl Config {
    /// The configuration from these command-line arguments, the environment and the file that
    /// `--config` (or `STUBE_CONFIG`) names, in that order of precedence.
    pub fn load(args: impl IntoIterator<Item = OsString>) -> Result<Self, ConfigError> {
        let args: Vec<OsString> = args.into_iter().collect();
        let first = Config::try_parse_from_args(Config::command(), &args)?;
        let Some(path) = first.config.clone() else {
            return Ok(first);
        };
        let text = std::fs::read_to_string(&path).map_err(|error| ConfigError::Read {
            path: path.clone(),
            error,
        })?;
        let command = with_file_defaults(Config::command(), &path, &text)?;
        Ok(Config::try_parse_from_args(command, &args)?)
    }

    fn try_parse_from_args(command: Command, args: &[OsString]) -> Result<Self, clap::Error> {
        let matches: ArgMatches = command.try_get_matches_from(args)?;
        Config::from_arg_matches(&matches)
    }
}

/// `command` with the defaults the file at `path` (holding `text`) sets.
fn with_file_defaults(
    mut command: Command,
    path: &Path,
    text: &str,
) -> Result<Command, ConfigError> {
    let table: toml::Table =
        text.parse()
            .map_err(|error: toml::de::Error| ConfigError::Syntax {
                path: path.to_owned(),
                message: error.message().to_owned(),
            })?;
    let key_error = |message: String| ConfigError::Key {
        path: path.to_owned(),
        message,
    };
    for (key, value) in table {
        let id = command
            .get_arguments()
            .find(|arg| arg.get_long() == Some(key.as_str()) && key != CONFIG_KEY)
            .map(|arg| arg.get_id().clone())
            .ok_or_else(|| key_error(format!("`{key}` is not an option (see --help)")))?;
        let values = flag_values(&value).ok_or_else(|| {
            key_error(format!(
                "`{key}` must be a string, a number, a boolean or a list of them"
            ))
        })?;
        command = command.mut_arg(id, |arg| {
            arg.default_values(values.into_iter().map(clap::builder::Str::from))
        });
    }
    Ok(command)
}

/// A TOML value as the flag values it stands for.
fn flag_values(value: &toml::Value) -> Option<Vec<String>> {
    match value {
        toml::Value::String(text) => Some(vec![text.clone()]),
        toml::Value::Integer(number) => Some(vec![number.to_string()]),
        toml::Value::Boolean(switch) => Some(vec![switch.to_string()]),
        toml::Value::Array(items) => items
            .iter()
            .map(|item| match item {
                toml::Value::Array(_) => None,
                single => flag_values(single).and_then(|mut one| one.pop()),
            })
            .collect(),
        toml::Value::Float(_) | toml::Value::Datetime(_) | toml::Value::Table(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn load(file: &str, args: &[&str]) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("stube.toml");
        std::fs::write(&path, file).expect("write");
        let mut all: Vec<OsString> = vec!["stube".into(), "--config".into(), path.into()];
        all.extend(args.iter().map(OsString::from));
        Config::load(all)
    }

    #[test]
    fn keys_set_defaults_and_flags_win() {
        let config = load(
            "listen = \"127.0.0.1:9000\"\nmax-peers-per-room = 6\nrelay-only = true\n\
             ice-server = [\"turn:a.example:3478\", \"turns:b.example:443\"]\n\
             join-timeout = \"5s\"\n",
            &["--max-peers-per-room", "4"],
        )
        .expect("loads");
        assert_eq!(config.listen, "127.0.0.1:9000".parse().expect("address"));
        assert_eq!(config.max_peers_per_room.get(), 4, "the flag wins");
        assert!(config.relay_only);
        assert_eq!(
            config.ice_server,
            ["turn:a.example:3478", "turns:b.example:443"]
        );
        assert_eq!(config.join_timeout, Duration::from_secs(5));
    }

    #[test]
    fn without_a_file_the_flags_alone_count() {
        let config =
            Config::load(["stube", "--max-rooms", "7"].map(OsString::from)).expect("loads");
        assert_eq!(config.max_rooms.get(), 7);
        assert!(config.config.is_none());
    }

    #[test]
    fn unknown_keys_and_bad_values_are_errors_naming_the_key() {
        for (file, needle) in [
            (
                "max-peers-per-rom = 6",
                "`max-peers-per-rom` is not an option",
            ),
            ("config = \"other.toml\"", "`config` is not an option"),
            ("max-peers-per-room = 1.5", "`max-peers-per-room` must be"),
            ("max-peers-per-room = \"many\"", "max-peers-per-room"),
            ("listen = ", "not valid TOML"),
        ] {
            let error = load(file, &[]).expect_err(file);
            let text = format!("{error}");
            assert!(text.contains(needle), "{file}: {text}");
        }
    }

    /// The commented file the Debian package installs, every `#key = value` line switched on.
    fn shipped_file_switched_on() -> String {
        include_str!("../debian/stube.toml")
            .lines()
            .map(|line| match line.strip_prefix('#') {
                Some(rest) if rest.starts_with(|c: char| c.is_ascii_lowercase()) => rest,
                _ => line,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn the_shipped_file_names_every_option_with_a_valid_example() {
        let text = shipped_file_switched_on();
        let table: toml::Table = text.parse().expect("the shipped file is TOML");
        for arg in Config::command().get_arguments() {
            let Some(long) = arg.get_long() else { continue };
            if [CONFIG_KEY, "help", "version"].contains(&long) {
                continue;
            }
            assert!(
                table.contains_key(long),
                "debian/stube.toml does not list `{long}`"
            );
        }
        load(&text, &[]).expect("every example value in debian/stube.toml is accepted");
    }

    #[test]
    fn a_missing_file_is_an_error_naming_it() {
        let error =
            Config::load(["stube", "--config", "/nonexistent/stube.toml"].map(OsString::from))
                .expect_err("missing");
        assert!(error.to_string().contains("/nonexistent/stube.toml"));
    }
}
