//! Templates to text: the subject (one line), the plain-text body, and the HTML body,
//! which is the template's own HTML when it has one, else the plain text set in a simple
//! layout (paragraphs, links made clickable). Values are escaped in HTML, never in text.
use minijinja::{AutoEscape, Environment, UndefinedBehavior, value::Value as JinjaValue};
use serde::Serialize;

/// The wording of one template in one language, as written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Draft {
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

/// An email ready to send.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Which part of a draft failed, where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateError {
    /// `subject`, `text` or `html`.
    pub part: &'static str,
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{} line {line}: {}", self.part, self.message),
            None => write!(f, "{}: {}", self.part, self.message),
        }
    }
}

/// The most a template may compute per email (minijinja's fuel): ample for any email,
/// and a bound on what a coordinator's loop can cost.
const FUEL: u64 = 100_000;

/// The subject's longest rendering; more is cut at a word.
const MAX_SUBJECT_CHARS: usize = 200;

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env.set_auto_escape_callback(|name| if name.ends_with(".html") { AutoEscape::Html } else { AutoEscape::None });
    env
}

fn render_part(env: &Environment, part: &'static str, source: &str, ctx: &JinjaValue) -> Result<String, TemplateError> {
    let name = if part == "html" { "body.html" } else { part };
    let fail = |e: minijinja::Error| TemplateError {
        part,
        line: e.line(),
        message: match e.detail() {
            Some(detail) => format!("{}: {detail}", e.kind()),
            None => e.kind().to_string(),
        },
    };
    let template = env.template_from_named_str(name, source).map_err(fail)?;
    template.render(ctx.clone()).map_err(fail)
}

/// Renders `draft` with `ctx` (the message's fields). `lang` and `affiliate` also set
/// the layout's language and header.
pub fn render(draft: &Draft, ctx: &serde_json::Value) -> Result<Rendered, TemplateError> {
    let env = environment();
    let value = JinjaValue::from(minijinja::value::Serde(ctx));
    let subject = one_line(&render_part(&env, "subject", &draft.subject, &value)?);
    if subject.is_empty() {
        return Err(TemplateError { part: "subject", line: Some(1), message: "the subject renders empty".into() });
    }
    let text = render_part(&env, "text", &draft.text, &value)?;
    let text = format!("{}\n", text.trim_end());
    let html = match &draft.html {
        Some(source) => render_part(&env, "html", source, &value)?,
        None => layout(&subject, &text, ctx),
    };
    Ok(Rendered { subject, text, html })
}

/// Whitespace (newlines included: a subject is a header) folded to single spaces, cut at
/// a word past `MAX_SUBJECT_CHARS`.
fn one_line(text: &str) -> String {
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.chars().count() <= MAX_SUBJECT_CHARS {
        return folded;
    }
    let mut cut = String::new();
    for word in folded.split(' ') {
        if cut.chars().count() + word.chars().count() + 1 > MAX_SUBJECT_CHARS - 1 {
            break;
        }
        cut = if cut.is_empty() { word.to_string() } else { format!("{cut} {word}") };
    }
    format!("{cut}…")
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// One line of text as HTML: escaped, with http(s) URLs as links.
fn line_html(line: &str) -> String {
    line.split(' ')
        .map(|word| {
            let url = word.trim_end_matches(['.', ',', ')', ';']);
            if (url.starts_with("https://") || url.starts_with("http://")) && url.len() > 8 {
                let rest = &word[url.len()..];
                format!("<a href=\"{0}\">{0}</a>{1}", escape(url), escape(rest))
            } else {
                escape(word)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The plain text as a simple HTML page: the affiliate's name, one paragraph per block.
fn layout(subject: &str, text: &str, ctx: &serde_json::Value) -> String {
    let lang = ctx["language"].as_str().unwrap_or("en");
    let affiliate = ctx["affiliate"].as_str().unwrap_or_default();
    let paragraphs: String = text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>\n", p.lines().map(line_html).collect::<Vec<_>>().join("<br>\n")))
        .collect();
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width\">\n<title>{title}</title>\n</head>\n<body style=\"font-family: Arial, Helvetica, sans-serif; line-height: 1.5; color: #222; max-width: 36em; margin: 0 auto; padding: 1em;\">\n<p style=\"color: #555; font-size: 0.9em;\">{affiliate}</p>\n{paragraphs}</body>\n</html>\n",
        lang = escape(lang),
        title = escape(subject),
        affiliate = escape(affiliate),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn draft(subject: &str, text: &str, html: Option<&str>) -> Draft {
        Draft { subject: subject.into(), text: text.into(), html: html.map(Into::into) }
    }

    #[test]
    fn renders_each_part_and_escapes_only_html() {
        let ctx = json!({"name": "Ana <b>", "affiliate": "WA & Co", "language": "es", "link": "https://app.example/activate?token=x&y"});
        let out = render(&draft("Hola\n{{ name }}", "Hola {{ name }},\n\nEnlace:\n{{ link }}", None), &ctx).unwrap();
        assert_eq!(out.subject, "Hola Ana <b>");
        assert!(out.text.contains("Hola Ana <b>,"));
        assert!(out.html.contains("<html lang=\"es\">"));
        assert!(out.html.contains("Hola Ana &lt;b&gt;,"));
        assert!(out.html.contains("<a href=\"https://app.example/activate?token=x&amp;y\">"));
        assert!(out.html.contains("WA &amp; Co"));
        let own = render(&draft("s", "t", Some("<p>{{ name }}</p>")), &ctx).unwrap();
        assert_eq!(own.html, "<p>Ana &lt;b&gt;</p>");
    }

    #[test]
    fn names_the_part_and_line_that_fail() {
        let ctx = json!({"name": "Ana"});
        let err = render(&draft("ok", "Hello {{ name }},\n\n{{ nope }}", None), &ctx).unwrap_err();
        assert_eq!((err.part, err.line), ("text", Some(3)));
        assert!(err.message.contains("undefined"), "{err}");
        let err = render(&draft("{% if %}", "t", None), &ctx).unwrap_err();
        assert_eq!(err.part, "subject");
        let err = render(&draft("   ", "t", None), &ctx).unwrap_err();
        assert_eq!(err.part, "subject");
    }

    #[test]
    fn a_runaway_template_is_stopped() {
        let err = render(
            &draft("s", "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}", None),
            &json!({}),
        )
        .unwrap_err();
        assert_eq!(err.part, "text");
    }
}
