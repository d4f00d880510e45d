//! Defaults from a config file: `$NTAQ_CONFIG`, else
//! `$XDG_CONFIG_HOME/ntaq/config.toml`, else `~/.config/ntaq/config.toml`.
//! Command-line flags (and `$NTAQ_DATA`) win over it; a missing default
//! file is no config, a bad one an error naming the file.
//!
//! ```toml
//! data = "/srv/nta-exports"   # the data directory (run and the shell)
//! format = "csv"              # results on standard output / in the shell
//! max_width = 160             # fit tables to 160 columns (0: never cut)
//! max_rows = 50               # rows a table shows
//! timing = true               # the shell's row count and time after results
//! ```

use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub data: Option<PathBuf>,
    pub format: Option<String>,
    pub max_width: Option<usize>,
    pub max_rows: Option<usize>,
    pub timing: Option<bool>,
}

impl Config {
    /// The config of this user (see the module docs), or an error message.
    pub fn load() -> Result<Config, String> {
        if let Some(path) = std::env::var_os("NTAQ_CONFIG") {
            return Config::read(Path::new(&path));
        }
        let dir = match std::env::var_os("XDG_CONFIG_HOME").filter(|d| !d.is_empty()) {
            Some(d) => PathBuf::from(d),
            None => match std::env::var_os("HOME") {
                Some(home) => PathBuf::from(home).join(".config"),
                None => return Ok(Config::default()),
            },
        };
        let path = dir.join("ntaq/config.toml");
        if !path.exists() {
            return Ok(Config::default());
        }
        Config::read(&path)
    }

    /// The config in `path`.
    pub fn read(path: &Path) -> Result<Config, String> {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read config `{}`: {e}", path.display()))?;
        let config: Config = toml::from_str(&text).map_err(|e| {
            let msg = e.message().to_string();
            format!("config `{}`: {msg} (keys: data, format, max_width, max_rows, timing)", path.display())
        })?;
        if let Some(f) = &config.format {
            f.parse::<kql_io::OutputFormat>().map_err(|e| format!("config `{}`: format: {e}", path.display()))?;
        }
        Ok(config)
    }

    /// The format named by `format`, if any (checked by [`Config::read`]).
    pub fn output_format(&self) -> Option<kql_io::OutputFormat> {
        self.format.as_deref().and_then(|f| f.parse().ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        Config::read(&path)
    }

    #[test]
    fn keys_and_errors() {
        let c = parse("data = \"/d\"\nformat = \"csv\"\nmax_width = 0\ntiming = true # comment\n").unwrap();
        assert_eq!(c.data, Some(PathBuf::from("/d")));
        assert_eq!(c.output_format(), Some(kql_io::OutputFormat::Csv));
        assert_eq!((c.max_width, c.max_rows, c.timing), (Some(0), None, Some(true)));
        assert!(parse("colour = 1").unwrap_err().contains("unknown field `colour`"));
        assert!(parse("max_width = \"wide\"").unwrap_err().contains("config `"));
        assert!(parse("format = \"xml\"").unwrap_err().contains("format"));
        assert_eq!(parse("").unwrap(), Config::default());
    }
}
