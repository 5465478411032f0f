//! Webhook rules: Standard Webhooks signatures (https://www.standardwebhooks.com), the
//! event kinds a subscription may choose, and which addresses a delivery may reach.
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use entity::{change_log::Operation, sets::RecordKind};

const SECRET_PREFIX: &str = "whsec_";

/// A new signing secret: `whsec_` and 32 random bytes in base64.
pub fn new_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

/// `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` under the secret's key.
pub fn sign(secret: &str, msg_id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let key = STANDARD.decode(secret.strip_prefix(SECRET_PREFIX)?).ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(format!("{msg_id}.{timestamp}.").as_bytes());
    mac.update(body);
    Some(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
}

/// Whether `s` is a signing secret: `whsec_` and at least 24 bytes in base64.
pub fn is_secret(s: &str) -> bool {
    s.strip_prefix(SECRET_PREFIX).and_then(|k| STANDARD.decode(k).ok()).is_some_and(|k| k.len() >= 24)
}

/// How far a signed timestamp may be from now (either way) before it is refused.
pub const TOLERANCE_SECONDS: i64 = 300;

/// Verifies a delivery signed as Standard Webhooks says: one of the `v1,…` values of
/// `header` is the HMAC of `{id}.{timestamp}.{body}` under `secret` (compared in constant
/// time), and `timestamp` is within five minutes of `now`.
pub fn verify(secret: &str, msg_id: &str, timestamp: i64, body: &[u8], header: &str, now: i64) -> bool {
    if (now - timestamp).abs() > TOLERANCE_SECONDS {
        return false;
    }
    let Some(key) = secret.strip_prefix(SECRET_PREFIX).and_then(|k| STANDARD.decode(k).ok()) else {
        return false;
    };
    header.split(' ').filter_map(|v| v.strip_prefix("v1,")).filter_map(|b| STANDARD.decode(b).ok()).any(|given| {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key) else { return false };
        mac.update(format!("{msg_id}.{timestamp}.").as_bytes());
        mac.update(body);
        mac.verify_slice(&given).is_ok()
    })
}

/// The `webhook-signature` header: one signature per secret in force, space-separated
/// (two while a rotated-out secret is still honoured).
pub fn signature_header(secrets: &[&str], msg_id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets.iter().filter_map(|s| sign(s, msg_id, timestamp, body)).collect::<Vec<_>>().join(" ")
}

/// The event type of a change: `person.upserted`, `membership.deleted`, …
pub fn event_type(kind: RecordKind, operation: Operation) -> String {
    let verb = match operation {
        Operation::Delete => "deleted",
        Operation::Upsert => "upserted",
    };
    format!("{kind}.{verb}")
}

/// True for addresses on the public internet. Loopback, private, shared (CGNAT),
/// link-local (which holds cloud metadata at 169.254.169.254), unspecified, multicast,
/// documentation and reserved ranges are refused, and IPv6 forms that embed an IPv4
/// address are judged by that address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    // NAT64 (64:ff9b::/96) carries an IPv4 address in its last 32 bits.
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6].iter().all(|x| *x == 0) {
        return is_public_v4(Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8));
    }
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local, incl. fd00:ec2::254 (metadata)
        || (s[0] & 0xffc0) == 0xfe80 // link-local
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || s[..6].iter().all(|x| *x == 0)) // IPv4-compatible and other embedded forms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification's reference libraries.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let sig = sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, br#"{"test": 2432232314}"#);
        assert_eq!(sig.as_deref(), Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));
    }

    #[test]
    fn verifies_the_standard_webhooks_example_within_five_minutes() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let (id, ts, body) = ("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, br#"{"test": 2432232314}"#);
        let good = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
        assert!(verify(secret, id, ts, body, good, ts + 299));
        assert!(verify(secret, id, ts, body, &format!("v1,bm9wZQ== {good}"), ts), "any of several signatures");
        assert!(!verify(secret, id, ts, body, good, ts + 301), "stale");
        assert!(!verify(secret, id, ts, body, good, ts - 301), "from the future");
        assert!(!verify(secret, id, ts, br#"{"test": 1}"#, good, ts), "another body");
        assert!(!verify(secret, "msg_other", ts, body, good, ts), "another id");
        assert!(!verify(&new_secret(), id, ts, body, good, ts), "another secret");
        assert!(!verify(secret, id, ts, body, "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", ts));
        assert!(is_secret(secret) && is_secret(&new_secret()) && !is_secret("whsec_c2hvcnQ=") && !is_secret("abc"));
    }

    #[test]
    fn rotation_signs_with_every_secret_in_force() {
        let (old, new) = (new_secret(), new_secret());
        let header = signature_header(&[&new, &old], "msg_1", 1, b"{}");
        let parts: Vec<&str> = header.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(Some(parts[0].to_string()), sign(&new, "msg_1", 1, b"{}"));
        assert_eq!(Some(parts[1].to_string()), sign(&old, "msg_1", 1, b"{}"));
        assert!(new.starts_with("whsec_") && new != old);
        assert_eq!(sign("not-a-secret", "m", 1, b""), None);
    }

    #[test]
    fn only_public_addresses_are_reachable() {
        let refused = [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.1",
            "::1",
            "::",
            "fe80::1",
            "fd00:ec2::254",
            "fc00::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "ff02::1",
        ];
        for ip in refused {
            assert!(!is_public(ip.parse().unwrap()), "{ip} must be refused");
        }
        for ip in ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"] {
            assert!(is_public(ip.parse().unwrap()), "{ip} is public");
        }
    }

    #[test]
    fn event_types_name_kind_and_operation() {
        assert_eq!(event_type(RecordKind::Person, Operation::Upsert), "person.upserted");
        assert_eq!(event_type(RecordKind::Membership, Operation::Delete), "membership.deleted");
    }
}

pub use entity::webhook_delivery::DeliveryStatus;

/// What happens to a webhook delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryEvent {
    /// An attempt answered 2xx.
    Succeeded,
    /// An attempt failed; `give_up` when the endpoint answered 410 or the delivery is too old.
    AttemptFailed { give_up: bool },
    /// Staff or the partner asked for it again.
    Redeliver,
}

/// The status after `event`, or why it may not happen. Any delivery may be sent again.
pub fn delivery_transition(from: DeliveryStatus, event: DeliveryEvent) -> Result<DeliveryStatus, &'static str> {
    match (from, event) {
        (_, DeliveryEvent::Redeliver) => Ok(DeliveryStatus::Pending),
        (DeliveryStatus::Pending, DeliveryEvent::Succeeded) => Ok(DeliveryStatus::Delivered),
        (DeliveryStatus::Pending, DeliveryEvent::AttemptFailed { give_up: true }) => Ok(DeliveryStatus::Failed),
        (DeliveryStatus::Pending, DeliveryEvent::AttemptFailed { give_up: false }) => Ok(DeliveryStatus::Pending),
        (DeliveryStatus::Delivered | DeliveryStatus::Failed, _) => Err("it is not waiting for an attempt"),
    }
}

#[cfg(test)]
mod delivery_tests {
    use super::DeliveryEvent::*;
    use super::DeliveryStatus::*;
    use super::*;

    #[test]
    fn every_move() {
        let idle = Err("it is not waiting for an attempt");
        let cases = [
            (Pending, Succeeded, Ok(Delivered)),
            (Pending, AttemptFailed { give_up: false }, Ok(Pending)),
            (Pending, AttemptFailed { give_up: true }, Ok(Failed)),
            (Pending, Redeliver, Ok(Pending)),
            (Delivered, Redeliver, Ok(Pending)),
            (Failed, Redeliver, Ok(Pending)),
            (Delivered, Succeeded, idle),
            (Failed, AttemptFailed { give_up: true }, idle),
            (Delivered, AttemptFailed { give_up: false }, idle),
        ];
        for (from, event, expected) in cases {
            assert_eq!(delivery_transition(from, event), expected, "{from:?} {event:?}");
        }
    }
}
