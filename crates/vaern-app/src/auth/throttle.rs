//! The login throttle: a delay that grows per key, never a lock an attacker controls (OWASP's
//! authentication cheat sheet). Three keys count each attempt — the account and the client
//! address together (the ordinary case: one person mistyping, or one attacker), the account
//! alone (guesses spread over many addresses), and the address alone (one address trying many
//! accounts). An attempt is counted when it is *claimed*, in the same transaction as the check,
//! before its password is checked: guesses sent in parallel are claimed one after another, so no
//! more pass than the limit allows. A successful login gives its claim back.

use std::net::IpAddr;

use time::{Duration, OffsetDateTime};
use vaern_store::auth::ThrottleCount;

/// How many failures a key may have before it waits, and how long.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// Failures before the first delay.
    pub free: i64,
    /// The first delay; each further failure doubles it.
    pub first_delay: Duration,
    /// The longest delay.
    pub max_delay: Duration,
}

/// The account from one address: five tries, then 30 seconds, doubling to 15 minutes.
pub const PAIR: Limit = Limit {
    free: 5,
    first_delay: Duration::seconds(30),
    max_delay: Duration::minutes(15),
};

/// The account from every address together. Its delay binds the real user as well, so it starts
/// later and stays short: it only has to slow a guesser with many addresses.
pub const ACCOUNT: Limit = Limit {
    free: 20,
    first_delay: Duration::seconds(30),
    max_delay: Duration::minutes(5),
};

/// One address trying any accounts (a whole town hall may share one address behind NAT, and a
/// successful login gives its attempt back, so only failures add up).
pub const ADDRESS: Limit = Limit {
    free: 50,
    first_delay: Duration::seconds(30),
    max_delay: Duration::minutes(15),
};

/// A key with no failure for this long starts over.
pub const FORGET_AFTER: Duration = Duration::hours(1);

/// What a key counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Account,
    Address,
    Pair,
}

impl KeyKind {
    pub fn limit(self) -> Limit {
        match self {
            KeyKind::Account => ACCOUNT,
            KeyKind::Address => ADDRESS,
            KeyKind::Pair => PAIR,
        }
    }
}

/// The three keys of one attempt, in the order they are locked (sorted, so that two logins
/// never wait on each other).
pub fn keys(username: &str, address: Option<IpAddr>) -> [(KeyKind, String); 3] {
    let address = address.map_or_else(|| "ukendt".to_owned(), |a| a.to_string());
    [
        (KeyKind::Account, format!("account:{username}")),
        (KeyKind::Address, format!("address:{address}")),
        (KeyKind::Pair, format!("pair:{username}|{address}")),
    ]
}

/// The delay after `failures` failures under `limit`.
pub fn delay(limit: Limit, failures: i64) -> Option<Duration> {
    let beyond = failures - limit.free;
    if beyond < 0 {
        return None;
    }
    let doubled = limit.first_delay * 2i32.pow(beyond.min(16) as u32);
    Some(doubled.min(limit.max_delay))
}

/// Claims one attempt on a key at `at`: its new count, or the instant it may try again.
pub fn claim(
    count: &ThrottleCount,
    limit: Limit,
    at: OffsetDateTime,
) -> Result<ThrottleCount, OffsetDateTime> {
    if let Some(until) = count.blocked_until
        && until > at
    {
        return Err(until);
    }
    let failures = if at - count.last_failure_at > FORGET_AFTER {
        1
    } else {
        count.failures + 1
    };
    Ok(ThrottleCount {
        failures,
        last_failure_at: at,
        blocked_until: delay(limit, failures).map(|d| at + d),
    })
}

/// An address's count once a successful login has given its claim back.
pub fn give_back(count: &ThrottleCount) -> ThrottleCount {
    let failures = (count.failures - 1).max(0);
    ThrottleCount {
        failures,
        last_failure_at: count.last_failure_at,
        blocked_until: count.blocked_until.filter(|_| failures >= ADDRESS.free),
    }
}

/// «Vent 30 sekunder» / «Vent 4 minutter»: how long until `until`, rounded up.
pub fn wait_message(until: OffsetDateTime, at: OffsetDateTime) -> String {
    let seconds = (until - at).whole_seconds().max(1);
    let wait = if seconds < 60 {
        format!("{seconds} sekunder")
    } else {
        let minutes = (seconds + 59) / 60;
        if minutes == 1 {
            "1 minut".to_owned()
        } else {
            format!("{minutes} minutter")
        }
    };
    format!("For mange mislykkede login-forsøg. Vent {wait}, og prøv igen.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> OffsetDateTime {
        OffsetDateTime::UNIX_EPOCH + Duration::seconds(seconds)
    }

    fn fresh() -> ThrottleCount {
        ThrottleCount {
            failures: 0,
            last_failure_at: at(0),
            blocked_until: None,
        }
    }

    #[test]
    fn the_delay_starts_at_the_limit_and_doubles_to_its_cap() {
        assert_eq!(delay(PAIR, 4), None);
        assert_eq!(delay(PAIR, 5), Some(Duration::seconds(30)));
        assert_eq!(delay(PAIR, 6), Some(Duration::seconds(60)));
        assert_eq!(delay(PAIR, 7), Some(Duration::seconds(120)));
        assert_eq!(delay(PAIR, 10), Some(Duration::minutes(15)));
        assert_eq!(delay(PAIR, 1_000), Some(Duration::minutes(15)));
        assert_eq!(delay(ACCOUNT, 19), None);
        assert_eq!(delay(ACCOUNT, 40), Some(Duration::minutes(5)));
    }

    #[test]
    fn a_waiting_key_is_refused_without_counting_and_tries_again_after_its_delay() {
        let mut count = fresh();
        for i in 1..=5 {
            count = claim(&count, PAIR, at(i)).unwrap();
        }
        assert_eq!(count.blocked_until, Some(at(5 + 30)));
        assert_eq!(claim(&count, PAIR, at(20)), Err(at(35)));
        let again = claim(&count, PAIR, at(36)).unwrap();
        assert_eq!(again.failures, 6);
        assert_eq!(again.blocked_until, Some(at(36 + 60)));
    }

    #[test]
    fn a_key_quiet_for_an_hour_starts_over() {
        let mut count = fresh();
        for i in 1..=4 {
            count = claim(&count, PAIR, at(i)).unwrap();
        }
        let later = claim(&count, PAIR, at(4) + FORGET_AFTER + Duration::seconds(1)).unwrap();
        assert_eq!(later.failures, 1);
        assert_eq!(later.blocked_until, None);
    }

    #[test]
    fn a_success_gives_the_address_its_attempt_back() {
        let count = ThrottleCount {
            failures: ADDRESS.free,
            last_failure_at: at(0),
            blocked_until: Some(at(30)),
        };
        let back = give_back(&count);
        assert_eq!(back.failures, ADDRESS.free - 1);
        assert_eq!(back.blocked_until, None);
    }

    #[test]
    fn the_wait_is_told_in_seconds_or_whole_minutes_rounded_up() {
        assert!(wait_message(at(30), at(0)).contains("Vent 30 sekunder"));
        assert!(wait_message(at(61), at(0)).contains("Vent 2 minutter"));
        assert!(wait_message(at(60), at(0)).contains("Vent 1 minut,"));
    }
}
