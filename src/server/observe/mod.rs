//! What an operator sees of a running Baton (docs/API.md, "Operations"): [`metrics`]
//! (Prometheus, on a listener of their own), [`logs`] (text or JSON lines, and
//! OpenTelemetry traces when an OTLP endpoint is set), and the [`lifecycle`] the
//! probes report.

pub mod lifecycle;
pub mod logs;
pub mod metrics;
