//! CIDR blocks for `IpAddress`/`NotIpAddress`, IPv4 and IPv6.

use std::net::IpAddr;

/// An address block such as `203.0.113.0/24` or `2001:db8::/32`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses `a.b.c.d[/n]` or `v6[/n]`; a bare address is a single host.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (text, None),
        };
        let addr: IpAddr = addr.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) if !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse::<u8>().ok().filter(|p| *p <= max)?
            }
            Some(_) => return None,
            None => max,
        };
        Some(Self { addr, prefix })
    }

    /// The prefix length.
    pub(crate) fn prefix(&self) -> u8 {
        self.prefix
    }

    /// Whether this is an IPv4 block.
    pub(crate) fn is_ipv4(&self) -> bool {
        self.addr.is_ipv4()
    }

    /// Whether `addr` lies inside the block; the families must agree.
    pub(crate) fn contains(&self, addr: IpAddr) -> bool {
        match (self.addr, addr) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// Parses a request's source address, tolerating a `/32`-style suffix.
pub(crate) fn parse_addr(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    text.split_once('/').map_or(text, |(addr, _)| addr).parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inside(cidr: &str, ip: &str) -> bool {
        Cidr::parse(cidr).unwrap().contains(parse_addr(ip).unwrap())
    }

    #[test]
    fn v4_and_v6() {
        assert!(inside("203.0.113.0/24", "203.0.113.9"));
        assert!(!inside("203.0.113.0/24", "203.0.114.9"));
        assert!(inside("0.0.0.0/0", "8.8.8.8"));
        assert!(inside("10.1.2.3", "10.1.2.3"));
        assert!(inside("2001:db8::/32", "2001:db8:1::5"));
        assert!(!inside("2001:db8::/32", "2001:db9::5"));
        assert!(!inside("2001:db8::/32", "203.0.113.9"));
        assert!(inside("::/0", "::1"));
        assert_eq!(Cidr::parse("10.0.0.0/33"), None);
        assert_eq!(Cidr::parse("10.0.0.0/"), None);
        assert_eq!(Cidr::parse("nonsense"), None);
    }
}
