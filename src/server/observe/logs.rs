//! Log lines and traces. `BATON_LOG_FORMAT=text` writes a readable line per event,
//! `json` one JSON object per line carrying `timestamp`, `level`, `message`, `target`
//! and, at the top level, the fields of the spans it is in (the request's
//! `request_id`, `method`, `path`); `BATON_LOG` filters. With
//! `OTEL_EXPORTER_OTLP_ENDPOINT` set, spans are also exported as OpenTelemetry traces
//! over OTLP/HTTP (protobuf), the standard `OTEL_*` variables applying.
//!
//! No log line holds a secret: the request span names the path without its query,
//! and nothing logs a header, a body, a token or a link.

use crate::server::config::operations::{LogFormat, OperationSettings};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::{layer::SubscriberExt, util::SubscriberInitExt, EnvFilter, Layer, Registry};

/// Keeps the trace exporter alive; [`Telemetry::shutdown`] sends what it still holds.
pub struct Telemetry {
    traces: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Exports the spans still waiting (a shutdown must not lose the last requests').
    pub fn shutdown(self) {
        if let Some(provider) = self.traces {
            if let Err(e) = provider.shutdown() {
                eprintln!("baton: traces not all exported: {e}");
            }
        }
    }
}

/// Whether OpenTelemetry export is asked for (the standard variable).
pub fn traces_wanted() -> bool {
    std::env::var("OTEL_EXPORTER_OTLP_ENDPOINT").is_ok_and(|v| !v.trim().is_empty())
}

/// Installs the process' subscriber: the log lines in their format, filtered by
/// `BATON_LOG`, and, when an OTLP endpoint is configured, the trace exporter with a
/// filter of its own (a quiet log must not thin the traces out).
pub fn init(settings: &OperationSettings) -> Result<Telemetry, String> {
    let filter = EnvFilter::try_new(&settings.log).map_err(|e| format!("BATON_LOG: {e}"))?;
    let lines = match settings.log_format {
        LogFormat::Text => tracing_subscriber::fmt::layer().with_target(false).with_writer(std::io::stderr).boxed(),
        LogFormat::Json => {
            let mut json = json_subscriber::JsonLayer::stderr();
            json.with_timer("timestamp", tracing_subscriber::fmt::time::SystemTime)
                .with_level("level")
                .with_target("target")
                .with_flattened_event()
                .with_top_level_flattened_span_list();
            json.boxed()
        }
    };
    let mut layers: Vec<Box<dyn Layer<Registry> + Send + Sync>> = vec![lines.with_filter(filter).boxed()];
    let traces = if traces_wanted() {
        let provider = tracer_provider()?;
        let tracer = provider.tracer("baton");
        // The request's span and what it does (database, hashing, mail) are at INFO.
        let spans = tracing_subscriber::filter::LevelFilter::INFO;
        layers.push(tracing_opentelemetry::layer().with_tracer(tracer).with_filter(spans).boxed());
        opentelemetry::global::set_text_map_propagator(opentelemetry_sdk::propagation::TraceContextPropagator::new());
        Some(provider)
    } else {
        None
    };
    tracing_subscriber::registry()
        .with(layers)
        .try_init()
        .map_err(|e| format!("cannot install the log subscriber: {e}"))?;
    Ok(Telemetry { traces })
}

/// OTLP over HTTP with protobuf (`OTEL_EXPORTER_OTLP_PROTOCOL`'s default here), to
/// `OTEL_EXPORTER_OTLP_ENDPOINT`, batched on the SDK's own thread; the service is
/// `OTEL_SERVICE_NAME`, else `baton`.
fn tracer_provider() -> Result<SdkTracerProvider, String> {
    use opentelemetry_otlp::{Protocol, WithExportConfig};
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .build()
        .map_err(|e| format!("OTEL_EXPORTER_OTLP_ENDPOINT: {e}"))?;
    let mut resource = opentelemetry_sdk::Resource::builder();
    if std::env::var("OTEL_SERVICE_NAME").is_err() {
        resource = resource.with_service_name("baton");
    }
    Ok(SdkTracerProvider::builder().with_batch_exporter(exporter).with_resource(resource.build()).build())
}

/// A request's headers as OpenTelemetry reads a propagated context (`traceparent`).
pub struct Headers<'a>(pub &'a http::HeaderMap);

impl opentelemetry::propagation::Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|k| k.as_str()).collect()
    }
}

/// Makes `span` continue the trace of `headers`' `traceparent` (W3C Trace Context),
/// when traces are exported and the request came from a trusted proxy.
pub fn continue_trace(span: &tracing::Span, headers: &http::HeaderMap) {
    use tracing_opentelemetry::OpenTelemetrySpanExt;
    let parent = opentelemetry::global::get_text_map_propagator(|p| p.extract(&Headers(headers)));
    let _ = span.set_parent(parent);
}
