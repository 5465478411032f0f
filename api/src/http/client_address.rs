//! Who a request comes from, as the rate limits count it.
use actix_web::HttpRequest;

/// The client address used for rate limits: the peer, or the `X-Forwarded-For` client
/// when the service is configured to trust its proxy.
pub fn client_address(req: &HttpRequest, trust_forwarded_for: bool) -> String {
    if trust_forwarded_for && let Some(ip) = req.connection_info().realip_remote_addr() {
        return ip.to_string();
    }
    req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_else(|| "unknown".into())
}
