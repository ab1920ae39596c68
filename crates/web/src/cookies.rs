//! The two cookies of the pages: the session (holding the session token) and the pre-session CSRF value of
//! the login form. Over HTTPS both take the `__Host-` prefix, which browsers accept only with `Secure`,
//! `Path=/` and no `Domain`: a sibling sub-domain cannot plant them.

use axum::http::{header, HeaderMap, HeaderValue};

pub(crate) fn session_name(secure: bool) -> &'static str {
    if secure {
        "__Host-partage"
    } else {
        "partage"
    }
}

/// The staff's session, apart from the partners': neither opens the other's pages.
pub(crate) fn staff_session_name(secure: bool) -> &'static str {
    if secure {
        "__Host-partage-caisse"
    } else {
        "partage-caisse"
    }
}

pub(crate) fn csrf_name(secure: bool) -> &'static str {
    if secure {
        "__Host-partage-csrf"
    } else {
        "partage-csrf"
    }
}

/// The value of a cookie sent by the browser, if any.
pub(crate) fn read<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.trim_matches('"'))
        .filter(|v| !v.is_empty())
}

/// A cookie for the length of the browser session. Values are base64url, which needs no quoting.
pub(crate) fn set(name: &str, value: &str, secure: bool) -> Option<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; HttpOnly; SameSite=Strict; Path=/{secure}"
    ))
    .ok()
}

pub(crate) fn clear(name: &str, secure: bool) -> HeaderValue {
    let secure_attr = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}=; Max-Age=0; HttpOnly; SameSite=Strict; Path=/{secure_attr}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("partage=; Max-Age=0; Path=/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_cookie_among_several_headers() {
        let mut h = HeaderMap::new();
        h.append(header::COOKIE, HeaderValue::from_static("a=1; partage=abc"));
        h.append(header::COOKIE, HeaderValue::from_static("partage-csrf=xyz"));
        assert_eq!(read(&h, "partage"), Some("abc"));
        assert_eq!(read(&h, "partage-csrf"), Some("xyz"));
        assert_eq!(read(&h, "b"), None);
    }

    #[test]
    fn au_3_secure_cookies_are_host_only_and_secure() {
        let v = set(session_name(true), "t", true).unwrap();
        assert_eq!(
            v.to_str().unwrap(),
            "__Host-partage=t; HttpOnly; SameSite=Strict; Path=/; Secure"
        );
    }
}
