//! The client's address, for the login throttle. Behind a reverse proxy every connection comes
//! from the proxy, so the address it forwards (`X-Forwarded-For`) is used — but only when the
//! connection really comes from a proxy the operator named (`VAERN_TRUSTED_PROXIES`); anyone
//! else could write any address there and so escape the per-address limit. The same holds for
//! `X-Forwarded-Proto`, which decides `Secure` cookies and HSTS.

use std::{
    convert::Infallible,
    net::{IpAddr, SocketAddr},
};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{Extensions, HeaderMap, request::Parts},
};

use crate::AppState;

/// The address a request came from; `None` only when the server was started without
/// connection info (a router under test).
pub struct ClientAddr(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(ClientAddr(peer(&parts.extensions).map(|peer| {
            resolve(peer, &parts.headers, &state.config.trusted_proxies)
        })))
    }
}

fn peer(extensions: &Extensions) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
}

/// Whether the client reached us over TLS: always when the operator says so
/// (`VAERN_SECURE_COOKIES`), otherwise when a trusted proxy says so in `X-Forwarded-Proto`.
pub struct Tls(pub bool);

impl FromRequestParts<AppState> for Tls {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(Tls(over_tls(state, &parts.headers, &parts.extensions)))
    }
}

/// [`Tls`] outside an extractor (the response-header middleware).
pub fn over_tls(state: &AppState, headers: &HeaderMap, extensions: &Extensions) -> bool {
    state.config.secure_cookies
        || peer(extensions)
            .is_some_and(|peer| forwarded_https(peer, headers, &state.config.trusted_proxies))
}

/// Whether a trusted proxy at `peer` forwarded a request that came to it over HTTPS.
pub fn forwarded_https(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> bool {
    trusted.contains(&peer)
        && headers
            .get("x-forwarded-proto")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))
}

/// The client behind `peer`: walking `X-Forwarded-For` from the right (the hop nearest to us)
/// past every trusted proxy, the first address that is not one. A header from a peer that is
/// not trusted is ignored.
pub fn resolve(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop.trim().parse::<IpAddr>() {
            Ok(address) if trusted.contains(&address) => client = address,
            Ok(address) => return address,
            // A hop we cannot read: stop at the last proxy we trust rather than guess past it.
            Err(_) => return client,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        headers
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_forwarded_address_counts_only_from_a_trusted_proxy() {
        let proxy = [ip("10.0.0.2")];
        let headers = forwarded(&["198.51.100.7"]);
        assert_eq!(
            resolve(ip("203.0.113.9"), &headers, &proxy),
            ip("203.0.113.9")
        );
        assert_eq!(
            resolve(ip("10.0.0.2"), &headers, &proxy),
            ip("198.51.100.7")
        );
        assert_eq!(resolve(ip("10.0.0.2"), &headers, &[]), ip("10.0.0.2"));
    }

    /// Issue 17: a client talking to us directly must not decide that it came over TLS.
    #[test]
    fn only_a_trusted_proxy_says_the_request_came_over_https() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-proto", "HTTPS".parse().unwrap());
        let proxy = [ip("10.0.0.2")];
        assert!(forwarded_https(ip("10.0.0.2"), &headers, &proxy));
        assert!(!forwarded_https(ip("203.0.113.9"), &headers, &proxy));
        assert!(!forwarded_https(ip("10.0.0.2"), &HeaderMap::new(), &proxy));
    }

    #[test]
    fn addresses_a_client_wrote_itself_are_skipped_from_the_right() {
        let proxies = [ip("10.0.0.2"), ip("10.0.0.3")];
        let headers = forwarded(&["1.2.3.4, 198.51.100.7", "10.0.0.3"]);
        assert_eq!(
            resolve(ip("10.0.0.2"), &headers, &proxies),
            ip("198.51.100.7")
        );
        let garbage = forwarded(&["198.51.100.7, ikke-en-adresse"]);
        assert_eq!(resolve(ip("10.0.0.2"), &garbage, &proxies), ip("10.0.0.2"));
        assert_eq!(
            resolve(ip("10.0.0.2"), &HeaderMap::new(), &proxies),
            ip("10.0.0.2")
        );
    }
}
