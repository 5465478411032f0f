//! Keyset pagination with opaque cursors: `?limit=1..200&cursor=...`, answered as
//! `{ "data": [...], "next_cursor": "..." | null }`. The cursor carries the sort key
//! of the last row served, so page N costs what page 1 costs.
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sea_orm::{ColumnTrait, Condition};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::error::AppError;

pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 200;

/// A page of results.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    #[schema(max_items = 200)]
    pub data: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// `limit` and `cursor`, for lists that take no other parameters.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Rows per page (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
}

/// Rows after `after` in the order (`first`, `id`): the keyset condition for lists sorted
/// by a column that may repeat (a date), with the id breaking ties.
pub fn after_pair<C: ColumnTrait, V: Into<sea_orm::Value> + Clone>(
    first: C,
    id: C,
    after: &(V, uuid::Uuid),
) -> Condition {
    Condition::any()
        .add(first.gt(after.0.clone()))
        .add(Condition::all().add(first.eq(after.0.clone())).add(id.gt(after.1)))
}

/// A validated page request: how many rows, and the key after which to start.
#[derive(Debug)]
pub struct PageRequest<K> {
    pub limit: u64,
    pub after: Option<K>,
}

#[derive(Serialize, Deserialize)]
struct CursorBody<K> {
    /// Which list the cursor belongs to, so a cursor of one list is refused by another.
    l: String,
    k: K,
}

impl<K: Serialize + DeserializeOwned> PageRequest<K> {
    /// Parses `limit` and `cursor` for the list named `list`.
    pub fn parse(list: &str, limit: Option<i64>, cursor: Option<&str>) -> Result<Self, AppError> {
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(n) if (1..=MAX_LIMIT as i64).contains(&n) => n as u64,
            Some(n) => {
                return Err(bad_param("limit", "range", format!("must be between 1 and {MAX_LIMIT}, not {n}")));
            }
        };
        let after = match cursor {
            None | Some("") => None,
            Some(raw) => Some(decode(list, raw)?),
        };
        Ok(PageRequest { limit, after })
    }

    /// How many rows to fetch: one more than the page, to learn whether another page follows.
    pub fn fetch_limit(&self) -> u64 {
        self.limit + 1
    }

    /// Cuts the over-fetched rows to the page and makes the next cursor from the last row.
    pub fn finish<T>(
        &self,
        list: &str,
        mut rows: Vec<T>,
        key: impl Fn(&T) -> K,
    ) -> Result<(Vec<T>, Option<String>), AppError> {
        let more = rows.len() as u64 > self.limit;
        rows.truncate(self.limit as usize);
        let next = match (more, rows.last()) {
            (true, Some(last)) => Some(encode(list, &key(last))?),
            _ => None,
        };
        Ok((rows, next))
    }
}

impl<K: Serialize + DeserializeOwned + PartialOrd> PageRequest<K> {
    /// Pages a list that is read whole because it is small by nature (a fee schedule, an
    /// application's reviews) with the same keyset cursors as the lists paged in the
    /// database: rows are ordered by `key`, which must be unique, and the page starts after
    /// the cursor's key, so a row added or removed meanwhile never shifts a page.
    pub fn slice<T>(
        &self,
        list: &str,
        mut rows: Vec<T>,
        key: impl Fn(&T) -> K,
    ) -> Result<(Vec<T>, Option<String>), AppError> {
        rows.sort_by(|a, b| key(a).partial_cmp(&key(b)).unwrap_or(std::cmp::Ordering::Equal));
        if let Some(after) = &self.after {
            rows.retain(|row| key(row) > *after);
        }
        rows.truncate(self.fetch_limit() as usize);
        self.finish(list, rows, key)
    }
}

/// The page a list read whole answers (see [`PageRequest::slice`]), its rows turned into
/// what the answer shows.
pub fn whole<T, D: ToSchema, K: Serialize + DeserializeOwned + PartialOrd>(
    list: &str,
    (limit, cursor): (Option<i64>, Option<&str>),
    rows: Vec<T>,
    key: impl Fn(&T) -> K,
    show: impl FnMut(T) -> D,
) -> Result<Page<D>, AppError> {
    let (rows, next_cursor) = PageRequest::parse(list, limit, cursor)?.slice(list, rows, key)?;
    Ok(Page { data: rows.into_iter().map(show).collect(), next_cursor })
}

impl PageParams {
    /// `limit` and `cursor`, as [`whole`] and [`PageRequest::parse`] take them.
    pub fn parts(&self) -> (Option<i64>, Option<&str>) {
        (self.limit, self.cursor.as_deref())
    }
}

/// A cursor for `list` positioned after `key` (lists that always hand out a cursor).
pub fn encode<K: Serialize>(list: &str, key: &K) -> Result<String, AppError> {
    let json = serde_json::to_vec(&CursorBody { l: list.to_string(), k: key }).map_err(AppError::internal)?;
    Ok(URL_SAFE_NO_PAD.encode(json))
}

/// The key inside a cursor of `list`; 400 `invalid_cursor` for anything else.
pub fn decode<K: DeserializeOwned>(list: &str, raw: &str) -> Result<K, AppError> {
    let invalid = || bad_param("cursor", "invalid_cursor", "is not a cursor returned by this list".to_string());
    let bytes = URL_SAFE_NO_PAD.decode(raw.as_bytes()).map_err(|_| invalid())?;
    let body: CursorBody<K> = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if body.l != list {
        return Err(invalid());
    }
    Ok(body.k)
}

fn bad_param(field: &str, code: &str, message: String) -> AppError {
    AppError::invalid_query(field, code, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_bounds() {
        assert_eq!(PageRequest::<String>::parse("x", None, None).map(|p| p.limit).ok(), Some(50));
        assert_eq!(PageRequest::<String>::parse("x", Some(1), None).map(|p| p.limit).ok(), Some(1));
        assert_eq!(PageRequest::<String>::parse("x", Some(200), None).map(|p| p.limit).ok(), Some(200));
        assert!(PageRequest::<String>::parse("x", Some(0), None).is_err());
        assert!(PageRequest::<String>::parse("x", Some(201), None).is_err());
    }

    #[test]
    fn slices_of_a_whole_list_follow_the_key_not_the_position() {
        let first = PageRequest::<u32>::parse("n", Some(2), None).expect("valid");
        let (rows, next) = first.slice("n", vec![5, 1, 3, 4, 2], |n| *n).expect("ok");
        assert_eq!(rows, vec![1, 2]);
        let cursor = next.expect("more follow");
        // A row inserted before the cursor does not repeat or skip anything after it.
        let second = PageRequest::<u32>::parse("n", Some(2), Some(&cursor)).expect("valid");
        let (rows, next) = second.slice("n", vec![0, 5, 1, 3, 4, 2], |n| *n).expect("ok");
        assert_eq!(rows, vec![3, 4]);
        let third = PageRequest::<u32>::parse("n", Some(2), next.as_deref()).expect("valid");
        assert_eq!(third.slice("n", vec![5, 1, 3, 4, 2], |n| *n).expect("ok"), (vec![5], None));
    }

    #[test]
    fn cursors_round_trip_and_belong_to_their_list() {
        let page = PageRequest::<String>::parse("things", Some(2), None).expect("valid");
        let (rows, next) = page.finish("things", vec!["a", "b", "c"], |s| s.to_string()).expect("ok");
        assert_eq!(rows, vec!["a", "b"]);
        let next = next.expect("a next page");
        let again = PageRequest::<String>::parse("things", Some(2), Some(&next)).expect("valid cursor");
        assert_eq!(again.after.as_deref(), Some("b"));
        assert!(PageRequest::<String>::parse("others", Some(2), Some(&next)).is_err());
        assert!(PageRequest::<String>::parse("things", Some(2), Some("%%%")).is_err());
    }

    #[test]
    fn last_page_has_no_cursor() {
        let page = PageRequest::<String>::parse("things", Some(3), None).expect("valid");
        let (rows, next) = page.finish("things", vec!["a", "b", "c"], |s| s.to_string()).expect("ok");
        assert_eq!(rows.len(), 3);
        assert!(next.is_none());
    }
}
