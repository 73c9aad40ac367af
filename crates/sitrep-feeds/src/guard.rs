//! The SSRF guard: which addresses a fetch may connect to.
//!
//! Host names are resolved here, once, by the HTTP client's resolver ([`GuardedResolver`]);
//! every address that is not public is dropped before the client sees it, so the client connects
//! only to an address that was checked (no second lookup that could answer differently). A
//! name with no public address is refused with the reason. Schemes other than http and https
//! are refused before any lookup ([`check_scheme`]).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// Why an address is not public.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressClass {
    Public,
    Unspecified,
    Loopback,
    Private,
    SharedAddressSpace,
    LinkLocal,
    UniqueLocal,
    SiteLocal,
    Multicast,
    Broadcast,
    Documentation,
    Benchmarking,
    Reserved,
}

impl fmt::Display for AddressClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AddressClass::Public => "public",
            AddressClass::Unspecified => "unspecified",
            AddressClass::Loopback => "loopback",
            AddressClass::Private => "private",
            AddressClass::SharedAddressSpace => "shared (carrier-grade NAT)",
            AddressClass::LinkLocal => "link-local",
            AddressClass::UniqueLocal => "unique-local",
            AddressClass::SiteLocal => "site-local",
            AddressClass::Multicast => "multicast",
            AddressClass::Broadcast => "broadcast",
            AddressClass::Documentation => "documentation",
            AddressClass::Benchmarking => "benchmarking",
            AddressClass::Reserved => "reserved",
        })
    }
}

/// Classifies an address; only [`AddressClass::Public`] may be fetched by default.
pub fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

/// True when the address is a public unicast address.
pub fn is_public(ip: IpAddr) -> bool {
    classify(ip) == AddressClass::Public
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    let [a, b, c, _] = ip.octets();
    match (a, b, c) {
        _ if ip.is_unspecified() => AddressClass::Unspecified,
        (0, _, _) => AddressClass::Reserved, // "this network"
        (127, _, _) => AddressClass::Loopback,
        (10, _, _) => AddressClass::Private,
        (172, 16..=31, _) => AddressClass::Private,
        (192, 168, _) => AddressClass::Private,
        (100, 64..=127, _) => AddressClass::SharedAddressSpace,
        (169, 254, _) => AddressClass::LinkLocal,
        (192, 0, 0) => AddressClass::Reserved, // IETF protocol assignments
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => AddressClass::Documentation,
        (192, 88, 99) => AddressClass::Reserved, // 6to4 relay anycast (deprecated)
        (198, 18..=19, _) => AddressClass::Benchmarking,
        (224..=239, _, _) => AddressClass::Multicast,
        _ if ip.is_broadcast() => AddressClass::Broadcast,
        (240..=255, _, _) => AddressClass::Reserved,
        _ => AddressClass::Public,
    }
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    if ip.is_unspecified() {
        return AddressClass::Unspecified;
    }
    if ip.is_loopback() {
        return AddressClass::Loopback;
    }
    // IPv4-mapped (::ffff:a.b.c.d): the IPv4 address is what gets connected to.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    let s = ip.segments();
    // IPv4-compatible (::a.b.c.d, deprecated) and the IPv4-translated prefix ::ffff:0:a.b.c.d.
    if s[..5] == [0; 5] && (s[5] == 0 || s[5] == 0xffff) || s[..4] == [0; 4] && s[4] == 0xffff {
        return AddressClass::Reserved;
    }
    // NAT64 (64:ff9b::/96): judged by the IPv4 address it reaches.
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let v4 = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
        return classify_v4(v4);
    }
    // 6to4 (2002::/16) embeds an IPv4 address too.
    if s[0] == 0x2002 {
        let v4 = Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8);
        return classify_v4(v4);
    }
    match s[0] {
        0xff00..=0xffff => AddressClass::Multicast,
        0xfe80..=0xfebf => AddressClass::LinkLocal,
        0xfec0..=0xfeff => AddressClass::SiteLocal,
        0xfc00..=0xfdff => AddressClass::UniqueLocal,
        // Documentation: 2001:db8::/32 and 3fff::/20.
        0x2001 if s[1] == 0x0db8 => AddressClass::Documentation,
        0x3fff if s[1] < 0x1000 => AddressClass::Documentation,
        // 2001::/23: IETF protocol assignments (Teredo, benchmarking, ORCHID...).
        0x2001 if s[1] < 0x0200 => AddressClass::Reserved,
        // Global unicast is 2000::/3; everything else (discard-only 100::/64, NAT64 local-use
        // 64:ff9b:1::/48, unassigned space) is not public.
        0x2000..=0x3fff => AddressClass::Public,
        _ => AddressClass::Reserved,
    }
}

/// Refuses schemes other than http and https.
pub fn check_scheme(url: &url::Url) -> Result<(), String> {
    match url.scheme() {
        "http" | "https" => Ok(()),
        other => Err(format!("scheme {other:?} refused (only http and https)")),
    }
}

/// A resolver that drops every non-public address (unless private addresses are allowed) and
/// fails with the reason when none is left.
#[derive(Debug)]
pub struct GuardedResolver {
    pub allow_private: bool,
    /// Non-public addresses allowed one by one (a known internal feed server).
    pub allow: Vec<IpAddr>,
    inner: DefaultResolver,
}

impl GuardedResolver {
    pub fn new(allow_private: bool, allow: Vec<IpAddr>) -> Self {
        GuardedResolver {
            allow_private,
            allow,
            inner: DefaultResolver::default(),
        }
    }
}

/// The text of a refusal; [`crate::FetchError`] recognises it.
pub(crate) const REFUSED: &str = "address refused";

impl Resolver for GuardedResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let resolved = self.inner.resolve(uri, config, timeout)?;
        if self.allow_private {
            return Ok(resolved);
        }
        let mut kept = self.empty();
        let mut refused = Vec::new();
        for addr in resolved.iter() {
            match classify(addr.ip()) {
                AddressClass::Public => kept.push(*addr),
                _ if self.allow.contains(&addr.ip()) => kept.push(*addr),
                class => refused.push(format!("{} ({class})", addr.ip())),
            }
        }
        if kept.is_empty() {
            let host = uri.host().unwrap_or("");
            return Err(ureq::Error::Io(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!(
                    "{REFUSED}: {host} resolves only to non-public addresses: {} (allow with --allow-private)",
                    refused.join(", ")
                ),
            )));
        }
        Ok(kept)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(addr: &str, expected: AddressClass) {
        let ip: IpAddr = match addr.parse() {
            Ok(ip) => ip,
            Err(e) => panic!("{addr}: {e}"),
        };
        assert_eq!(classify(ip), expected, "{addr}");
    }

    #[test]
    fn ipv4_classes() {
        use AddressClass::*;
        check("0.0.0.0", Unspecified);
        check("0.1.2.3", Reserved);
        check("127.0.0.1", Loopback);
        check("127.255.0.9", Loopback);
        check("10.1.2.3", Private);
        check("172.16.0.1", Private);
        check("172.31.255.255", Private);
        check("172.32.0.1", Public);
        check("192.168.1.1", Private);
        check("100.64.0.1", SharedAddressSpace);
        check("100.128.0.1", Public);
        check("169.254.169.254", LinkLocal);
        check("192.0.0.8", Reserved);
        check("192.0.2.1", Documentation);
        check("198.51.100.7", Documentation);
        check("203.0.113.9", Documentation);
        check("198.18.0.1", Benchmarking);
        check("224.0.0.1", Multicast);
        check("239.255.255.250", Multicast);
        check("240.0.0.1", Reserved);
        check("255.255.255.255", Broadcast);
        check("8.8.8.8", Public);
        check("93.184.216.34", Public);
        check("11.0.0.1", Public);
    }

    #[test]
    fn ipv6_classes() {
        use AddressClass::*;
        check("::", Unspecified);
        check("::1", Loopback);
        check("::ffff:127.0.0.1", Loopback);
        check("::ffff:10.0.0.1", Private);
        check("::ffff:169.254.169.254", LinkLocal);
        check("::ffff:8.8.8.8", Public);
        check("::127.0.0.1", Reserved);
        check("::ffff:0:8.8.8.8", Reserved);
        check("64:ff9b::7f00:1", Loopback);
        check("64:ff9b::808:808", Public);
        check("64:ff9b:1::1", Reserved);
        check("2002:7f00:1::1", Loopback);
        check("2002:c0a8:101::1", Private);
        check("2002:808:808::1", Public);
        check("fe80::1", LinkLocal);
        check("febf::1", LinkLocal);
        check("fec0::1", SiteLocal);
        check("fc00::1", UniqueLocal);
        check("fd12:3456::1", UniqueLocal);
        check("ff02::1", Multicast);
        check("ff0e::1", Multicast);
        check("2001:db8::1", Documentation);
        check("3fff::1", Documentation);
        check("2001::1", Reserved);
        check("100::1", Reserved);
        check("2606:4700::1111", Public);
        check("2a00:1450:4001::1", Public);
    }

    #[test]
    fn only_http_and_https() {
        for (url, ok) in [
            ("http://a.example/", true),
            ("https://a.example/", true),
            ("file:///etc/passwd", false),
            ("ftp://a.example/", false),
            ("gopher://a.example/", false),
        ] {
            let parsed = url::Url::parse(url).ok();
            assert_eq!(parsed.map(|u| check_scheme(&u).is_ok()), Some(ok), "{url}");
        }
    }

    #[test]
    fn resolver_refuses_loopback_unless_allowed() {
        let uri: Uri = "http://127.0.0.1:9/".parse().unwrap_or_default();
        let config = Config::default();
        let timeout = NextTimeout {
            after: ureq::unversioned::transport::time::Duration::NotHappening,
            reason: ureq::Timeout::Resolve,
            ..NextTimeout::default()
        };
        let refused = GuardedResolver::new(false, vec![]).resolve(&uri, &config, timeout);
        let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("127.0.0.1 (loopback)"), "{message}");
        let allowed = GuardedResolver::new(true, vec![]).resolve(&uri, &config, timeout);
        assert!(allowed.is_ok_and(|a| a.len() == 1));
        let listed = vec![IpAddr::from([127, 0, 0, 1])];
        let one = GuardedResolver::new(false, listed.clone()).resolve(&uri, &config, timeout);
        assert!(one.is_ok_and(|a| a.len() == 1));
        let other: Uri = "http://127.0.0.2:9/".parse().unwrap_or_default();
        let refused = GuardedResolver::new(false, listed).resolve(&other, &config, timeout);
        assert!(refused.is_err());
    }
}
