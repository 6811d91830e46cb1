//! Writing to stdout and stderr, and lists (clusters, accounts) as a table, JSON or YAML.

use std::io::Write as _;

use comfy_table::{ContentArrangement, Table};
use kaas::inventory::ClusterSummary;
use serde::Serialize;

use crate::failure::{Code, Failure};

/// How `kaas clusters` and `kaas accounts` print their lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns, one cluster a line.
    Table,
    /// A JSON array of objects.
    Json,
    /// A YAML sequence of mappings.
    Yaml,
}

/// Writes `text` to stdout. A closed pipe (`kaas clusters | head -1`) ends the output
/// quietly; any other write error is a failure.
pub fn print(text: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(error) => Err(Failure::new(
            Code::Error,
            format!("cannot write to stdout: {error}"),
        )),
    }
}

/// Writes `kaas: <message>` on stderr, as one line whatever a server put in the message; a
/// failing stderr is ignored (there is nowhere left to say so).
pub fn warn(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "kaas: {}", printable(message));
}

/// Prints a failure's message as `kaas: <message>` on stderr and gives its exit code.
pub fn report(failure: Failure) -> std::process::ExitCode {
    if let Some(message) = &failure.message {
        warn(message);
    }
    failure.code.into()
}

/// One cluster as `kaas clusters` prints it.
#[derive(Debug, Serialize)]
pub struct Row {
    /// The account it was listed with (`do:team-a`, `env:oks`, ...).
    pub account: String,
    /// `digitalocean`, `oks`, `cloud66` or `commissaire`.
    pub provider: &'static str,
    /// The cluster's name.
    pub name: String,
    /// The id the provider's operations take.
    pub id: String,
    /// Region or subregions.
    pub location: Option<String>,
    /// The Kubernetes version.
    pub kubernetes_version: Option<String>,
    /// The state in kaas's vocabulary.
    pub state: &'static str,
    /// The provider's own word for the state.
    pub raw_state: String,
    /// How many nodes.
    pub node_count: Option<u64>,
    /// The Kubernetes API endpoint.
    pub api_endpoint: Option<String>,
    /// When it was created, RFC 3339.
    pub created_at: Option<String>,
}

impl From<&ClusterSummary> for Row {
    fn from(cluster: &ClusterSummary) -> Self {
        Row {
            account: cluster.account.clone(),
            provider: cluster.provider.name(),
            name: cluster.name.clone(),
            id: cluster.id.clone(),
            location: cluster.location.clone(),
            kubernetes_version: cluster.kubernetes_version.clone(),
            state: cluster.state.name(),
            raw_state: cluster.raw_state.clone(),
            node_count: cluster.node_count,
            api_endpoint: cluster.api_endpoint.clone(),
            created_at: cluster
                .created_at
                .map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        }
    }
}

/// The table's columns.
const HEADER: [&str; 10] = [
    "ACCOUNT", "PROVIDER", "NAME", "ID", "LOCATION", "VERSION", "STATE", "NODES", "ENDPOINT",
    "CREATED",
];

/// The rows in `format`, ending with a newline.
pub fn render(rows: &[Row], format: Format) -> Result<String, Failure> {
    render_with(rows, format, |rows| {
        let cells = rows.iter().map(|row| {
            let optional = |value: &Option<String>| value.as_deref().unwrap_or("-").to_string();
            vec![
                row.account.clone(),
                row.provider.to_string(),
                row.name.clone(),
                row.id.clone(),
                optional(&row.location),
                optional(&row.kubernetes_version),
                row.state.to_string(),
                row.node_count
                    .map_or_else(|| "-".to_string(), |n| n.to_string()),
                optional(&row.api_endpoint),
                optional(&row.created_at),
            ]
        });
        table(&HEADER, cells)
    })
}

/// `rows` in `format`, ending with a newline: JSON and YAML from their `Serialize`, a table
/// from `as_table`.
pub fn render_with<R: Serialize>(
    rows: &[R],
    format: Format,
    as_table: impl FnOnce(&[R]) -> String,
) -> Result<String, Failure> {
    let text = match format {
        Format::Table => as_table(rows),
        Format::Json => serde_json::to_string_pretty(rows).map_err(|error| {
            Failure::new(
                Code::Error,
                format!("cannot write the list as JSON: {error}"),
            )
        })?,
        Format::Yaml => {
            let text = serde_yaml_ng::to_string(rows).map_err(|error| {
                Failure::new(
                    Code::Error,
                    format!("cannot write the list as YAML: {error}"),
                )
            })?;
            text.trim_end().to_string()
        }
    };
    Ok(text + "\n")
}

/// Columns aligned with spaces, as kubectl prints them: no borders, no colours; every cell
/// made [`printable`].
pub fn table(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut table = Table::new();
    table
        .load_preset(comfy_table::presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header);
    for row in rows {
        table.add_row(row.iter().map(|cell| printable(cell)).collect::<Vec<_>>());
    }
    for column in table.column_iter_mut() {
        column.set_padding((0, 3));
    }
    table.trim_fmt()
}

/// A value a server sent, made safe for one line of a terminal: control characters (a
/// newline, a terminal escape) are shown escaped, so they can neither break a table's layout
/// nor drive the terminal.
pub fn printable(value: &str) -> String {
    if !value.chars().any(char::is_control) {
        return value.to_string();
    }
    value
        .chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row of an OKS cluster named `name`.
    fn row(name: &str) -> Row {
        Row {
            account: "oks:prod".into(),
            provider: "oks",
            name: name.into(),
            id: "id-1".into(),
            location: None,
            kubernetes_version: Some("1.31".into()),
            state: "running",
            raw_state: "ready".into(),
            node_count: Some(3),
            api_endpoint: None,
            created_at: None,
        }
    }

    #[test]
    fn a_table_is_aligned_columns_with_dashes_for_what_is_not_known() {
        let text = render(&[row("prod")], Format::Table).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(
            lines[0].starts_with("ACCOUNT    PROVIDER   NAME   ID     LOCATION"),
            "{text}"
        );
        assert!(
            lines[1].starts_with("oks:prod   oks        prod   id-1   -"),
            "{text}"
        );
        assert!(lines[1].ends_with("-"), "{text}");
    }

    #[test]
    fn control_characters_from_a_server_are_escaped_in_a_table() {
        let text = render(&[row("evil\n\u{1b}[31mred")], Format::Table).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(text.contains("evil\\n\\u{1b}[31mred"), "{text}");
    }

    #[test]
    fn json_and_yaml_keep_missing_values_as_null() {
        let json: serde_json::Value =
            serde_json::from_str(&render(&[row("prod")], Format::Json).unwrap()).unwrap();
        assert_eq!(json[0]["location"], serde_json::Value::Null);
        assert_eq!(json[0]["node_count"], 3);
        let yaml = render(&[row("prod")], Format::Yaml).unwrap();
        assert!(yaml.starts_with("- account: oks:prod\n"), "{yaml}");
        assert!(yaml.contains("location: null\n"), "{yaml}");
    }
}
