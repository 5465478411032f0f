//! Prometheus metrics (requests by route, method and status; a latency histogram;
//! outbox deliveries) and the one access-log line per request.
use std::{rc::Rc, sync::Arc, time::Instant};

use actix_web::dev::ServiceResponse;
use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder};

pub struct Metrics {
    registry: Registry,
    pub http_requests: IntCounterVec,
    pub http_duration: HistogramVec,
    pub outbox_deliveries: IntCounterVec,
}

impl Metrics {
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("endorse".into()), None)?;
        let http_requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests answered, by route pattern, method and status"),
            &["route", "method", "status"],
        )?;
        let http_duration = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time to answer HTTP requests, by route pattern and method",
            )
            .buckets(vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0]),
            &["route", "method"],
        )?;
        let outbox_deliveries = IntCounterVec::new(
            Opts::new("outbox_deliveries_total", "Outbox delivery attempts, by kind and result"),
            &["kind", "result"],
        )?;
        registry.register(Box::new(http_requests.clone()))?;
        registry.register(Box::new(http_duration.clone()))?;
        registry.register(Box::new(outbox_deliveries.clone()))?;
        Ok(Metrics { registry, http_requests, http_duration, outbox_deliveries })
    }

    pub fn render(&self) -> Result<String, prometheus::Error> {
        let mut buf = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buf)?;
        String::from_utf8(buf).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }
}

pub struct MetricsMiddleware(pub Arc<Metrics>);

middleware!(MetricsMiddleware => MetricsService, ServiceResponse<B>, |this, service| MetricsService { service: Rc::new(service), metrics: this.0.clone() });

pub struct MetricsService<S> {
    service: Rc<S>,
    metrics: Arc<Metrics>,
}

middleware_call!(MetricsService -> ServiceResponse<B>, |this, req| {
        let started = Instant::now();
        let method = req.method().to_string();
        let path = req.path().to_string();
        let metrics = this.metrics.clone();
        let service = this.service.clone();
        Box::pin(async move {
            let outcome = service.call(req).await;
            let (status, route) = match &outcome {
                Ok(res) => (res.status().as_u16(), res.request().match_pattern()),
                Err(e) => (e.as_response_error().status_code().as_u16(), None),
            };
            // Unmatched paths share one label so that scanners cannot blow up cardinality.
            let route = route.unwrap_or_else(|| "unmatched".into());
            let elapsed = started.elapsed();
            metrics.http_requests.with_label_values(&[route.as_str(), method.as_str(), &status.to_string()]).inc();
            metrics.http_duration.with_label_values(&[route.as_str(), method.as_str()]).observe(elapsed.as_secs_f64());
            let ms = elapsed.as_secs_f64() * 1000.0;
            if status >= 500 {
                tracing::error!(%method, %path, status, elapsed_ms = ms, "request failed");
            } else {
                tracing::info!(%method, %path, status, elapsed_ms = ms, "request completed");
            }
            outcome
        })
});
