//! Logs to the systemd journal when the process runs under systemd with its standard error
//! connected to the journal (`JOURNAL_STREAM`, as the plain systemd units in
//! `packaging/systemd/` run it). Each tracing event becomes one journal entry: its message (with
//! its fields, as the text log shows them) in `MESSAGE`, its level in `PRIORITY`, and every field
//! as a journal field of its own (`REPOSITORY=...`, `STATUS=...`) that `journalctl -o json` and
//! `journalctl REPOSITORY=library/ubuntu` filter on. `systemd-journal-logger` writes the journal's
//! native protocol; this layer is the bridge from tracing's events to its `log` records.

use std::fmt::Write as _;

use log::Log as _;
use log::kv::ToValue as _;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::Context;

/// A tracing layer writing to the journal.
pub struct JournalLayer(systemd_journal_logger::JournalLog);

impl JournalLayer {
    /// The layer when standard error goes to the journal, else `None` (log to standard error).
    pub fn when_connected() -> Option<JournalLayer> {
        if !systemd_journal_logger::connected_to_journal() {
            return None;
        }
        let journal = systemd_journal_logger::JournalLog::new().ok()?.with_syslog_identifier("quay".to_owned());
        Some(JournalLayer(journal))
    }
}

/// An event's message and fields.
#[derive(Default)]
struct Fields {
    message: String,
    fields: Vec<(&'static str, String)>,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            self.fields.push((field.name(), value.to_owned()));
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            self.fields.push((field.name(), format!("{value:?}")));
        }
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for JournalLayer {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        let mut seen = Fields::default();
        event.record(&mut seen);
        let meta = event.metadata();
        let level = match *meta.level() {
            tracing::Level::ERROR => log::Level::Error,
            tracing::Level::WARN => log::Level::Warn,
            tracing::Level::INFO => log::Level::Info,
            tracing::Level::DEBUG => log::Level::Debug,
            tracing::Level::TRACE => log::Level::Trace,
        };
        // The message reads as the text log's line does; the fields are also entries' own fields.
        let mut message = seen.message;
        for (name, value) in &seen.fields {
            let _ = write!(message, " {name}={value}");
        }
        let fields: Vec<(&str, log::kv::Value<'_>)> =
            seen.fields.iter().map(|(name, value)| (*name, value.as_str().to_value())).collect();
        self.0.log(
            &log::Record::builder()
                .args(format_args!("{message}"))
                .level(level)
                .target(meta.target())
                .module_path(meta.module_path())
                .file(meta.file())
                .line(meta.line())
                .key_values(&fields.as_slice())
                .build(),
        );
    }
}
