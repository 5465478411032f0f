//! What answers when no route matched: 405 with `Allow` when the path exists under
//! other methods, 204 with `Allow` for a plain `OPTIONS`, 404 otherwise. The table of
//! paths and methods comes from the OpenAPI document, i.e. from the routes themselves.
use actix_web::{HttpRequest, HttpResponse, http::Method, http::header, web};

use crate::error::AppError;

#[derive(Clone, Debug, Default)]
pub struct RouteTable {
    routes: Vec<Route>,
}

#[derive(Clone, Debug)]
struct Route {
    segments: Vec<Segment>,
    methods: Vec<String>,
    /// The methods callable without a token (the operation lists an empty security requirement).
    anonymous: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
enum Segment {
    Literal(String),
    Param,
}

fn allows_anonymous(op: &utoipa::openapi::path::Operation) -> bool {
    op.security.as_ref().is_some_and(|reqs| {
        reqs.iter().any(|r| serde_json::to_value(r).is_ok_and(|v| v.as_object().is_some_and(|o| o.is_empty())))
    })
}

impl RouteTable {
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> Self {
        let mut routes = Vec::new();
        for (path, item) in doc.paths.paths.iter() {
            let mut methods: Vec<String> = Vec::new();
            let mut anonymous: Vec<String> = Vec::new();
            let ops = [
                ("GET", &item.get),
                ("PUT", &item.put),
                ("POST", &item.post),
                ("DELETE", &item.delete),
                ("PATCH", &item.patch),
            ];
            for (name, op) in ops {
                if let Some(op) = op {
                    methods.push(name.to_string());
                    if allows_anonymous(op) {
                        anonymous.push(name.to_string());
                    }
                }
            }
            routes.push(Route { segments: parse(path), methods, anonymous });
        }
        RouteTable { routes }
    }

    /// The routes that `path` fits. Where a literal segment and a parameter both fit
    /// (`…/{year}/submission` and `…/{year}/{kind}`), the routes with the most literal
    /// segments win, as in routing.
    fn matching(&self, path: &str) -> Vec<&Route> {
        let parts: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
        let mut best: (usize, Vec<&Route>) = (0, Vec::new());
        for route in &self.routes {
            let fits = route.segments.len() == parts.len()
                && route.segments.iter().zip(&parts).all(|(s, p)| match s {
                    Segment::Literal(l) => l == p,
                    Segment::Param => !p.is_empty(),
                });
            if !fits {
                continue;
            }
            let literals = route.segments.iter().filter(|s| matches!(s, Segment::Literal(_))).count();
            if best.1.is_empty() || literals > best.0 {
                best = (literals, vec![route]);
            } else if literals == best.0 {
                best.1.push(route);
            }
        }
        best.1
    }

    /// The methods served at `path`, or `None` when no route has that shape.
    pub fn allowed(&self, path: &str) -> Option<Vec<String>> {
        let routes = self.matching(path);
        if routes.is_empty() {
            return None;
        }
        let mut all: Vec<String> = Vec::new();
        for m in routes.iter().flat_map(|r| &r.methods) {
            if !all.contains(m) {
                all.push(m.clone());
            }
        }
        Some(all)
    }

    /// Whether `method` on `path` may be called without a token.
    pub fn anonymous(&self, path: &str, method: &str) -> bool {
        self.matching(path).iter().any(|r| r.anonymous.iter().any(|m| m == method))
    }
}

fn parse(path: &str) -> Vec<Segment> {
    path.trim_end_matches('/')
        .split('/')
        .skip(1)
        .map(|s| if s.starts_with('{') && s.ends_with('}') { Segment::Param } else { Segment::Literal(s.to_string()) })
        .collect()
}

pub async fn not_matched(req: HttpRequest, table: web::Data<RouteTable>) -> Result<HttpResponse, AppError> {
    match table.allowed(req.path()) {
        // The path has a route's shape and the method is served there, yet no route took
        // it: a parameter failed the route's constraint (e.g. `{kind:trainings|rsc}`).
        Some(allow) if allow.iter().any(|m| m == req.method().as_str()) => {
            Err(AppError::NotFound("This resource".into()))
        }
        Some(mut allow) => {
            allow.push("OPTIONS".into());
            if req.method() == Method::OPTIONS {
                Ok(HttpResponse::NoContent().insert_header((header::ALLOW, allow.join(", "))).finish())
            } else {
                Err(AppError::MethodNotAllowed { allow })
            }
        }
        None => Err(AppError::NotFound(format!("`{}`", req.path()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> RouteTable {
        let route = |path: &str, methods: &[&str], anonymous: &[&str]| Route {
            segments: parse(path),
            methods: methods.iter().map(|m| m.to_string()).collect(),
            anonymous: anonymous.iter().map(|m| m.to_string()).collect(),
        };
        RouteTable {
            routes: vec![
                route("/v1/affiliates", &["GET", "POST"], &["GET"]),
                route("/v1/affiliates/{affiliate}", &["GET", "PATCH"], &["GET"]),
            ],
        }
    }

    #[test]
    fn matches_literals_and_parameters() {
        let t = table();
        assert_eq!(t.allowed("/v1/affiliates"), Some(vec!["GET".into(), "POST".into()]));
        assert_eq!(t.allowed("/v1/affiliates/"), Some(vec!["GET".into(), "POST".into()]));
        assert_eq!(t.allowed("/v1/affiliates/wa"), Some(vec!["GET".into(), "PATCH".into()]));
        assert_eq!(t.allowed("/v1/affiliates/wa/x"), None);
        assert_eq!(t.allowed("/v2/affiliates"), None);
        assert!(t.anonymous("/v1/affiliates", "GET"));
        assert!(!t.anonymous("/v1/affiliates", "POST"));
        assert!(!t.anonymous("/v2/affiliates", "GET"));
    }
}
