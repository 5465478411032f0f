//! What answers when no route matched: 405 with `Allow` when the path exists under
//! other methods, 204 with `Allow` for a plain `OPTIONS`, 404 otherwise. The table of
//! paths and methods comes from the OpenAPI document, i.e. from the routes themselves.
use actix_web::{HttpRequest, HttpResponse, http::Method, http::header, web};

use crate::error::AppError;

#[derive(Clone, Debug, Default)]
pub struct RouteTable {
    routes: Vec<(Vec<Segment>, Vec<String>)>,
}

#[derive(Clone, Debug, PartialEq)]
enum Segment {
    Literal(String),
    Param,
}

impl RouteTable {
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> Self {
        let mut routes = Vec::new();
        for (path, item) in doc.paths.paths.iter() {
            let mut methods: Vec<String> = Vec::new();
            let ops = [
                ("GET", item.get.is_some()),
                ("PUT", item.put.is_some()),
                ("POST", item.post.is_some()),
                ("DELETE", item.delete.is_some()),
                ("PATCH", item.patch.is_some()),
            ];
            for (name, present) in ops {
                if present {
                    methods.push(name.to_string());
                }
            }
            routes.push((parse(path), methods));
        }
        RouteTable { routes }
    }

    /// The methods served at `path`, or `None` when no route has that shape. Where a
    /// literal segment and a parameter both fit (`…/{year}/submission` and
    /// `…/{year}/{kind}`), the routes with the most literal segments win, as in routing.
    pub fn allowed(&self, path: &str) -> Option<Vec<String>> {
        let parts: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
        let mut best: Option<(usize, Vec<String>)> = None;
        for (segments, methods) in &self.routes {
            let fits = segments.len() == parts.len()
                && segments.iter().zip(&parts).all(|(s, p)| match s {
                    Segment::Literal(l) => l == p,
                    Segment::Param => !p.is_empty(),
                });
            if !fits {
                continue;
            }
            let literals = segments.iter().filter(|s| matches!(s, Segment::Literal(_))).count();
            match &mut best {
                Some((most, _)) if *most > literals => {}
                Some((most, all)) if *most == literals => {
                    for m in methods {
                        if !all.contains(m) {
                            all.push(m.clone());
                        }
                    }
                }
                _ => best = Some((literals, methods.clone())),
            }
        }
        best.map(|(_, methods)| methods)
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
        RouteTable {
            routes: vec![
                (parse("/v1/affiliates"), vec!["GET".into(), "POST".into()]),
                (parse("/v1/affiliates/{affiliate}"), vec!["GET".into(), "PATCH".into()]),
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
    }
}
