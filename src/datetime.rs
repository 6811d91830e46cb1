//! Timestamps of the generated types, read with chrono's direct RFC 3339 parser: the generic
//! parser behind `DateTime`'s own `Deserialize` took a sixth of the time of decoding a page of
//! DigitalOcean clusters. A timestamp RFC 3339 does not accept (a space for `T`, say) still
//! goes through chrono's relaxed parser, so nothing that decoded before fails now. The codegen
//! puts `#[serde(deserialize_with = ...)]` on every timestamp field.

use std::fmt;

use chrono::{DateTime, FixedOffset, Utc};
use serde::de::{self, Deserializer, Visitor};

/// A required timestamp.
pub(crate) fn utc<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    deserializer.deserialize_str(Timestamp)
}

/// An optional (or nullable) timestamp; missing is `None` (the field carries `default`).
pub(crate) fn utc_option<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    deserializer.deserialize_option(MaybeTimestamp)
}

struct Timestamp;

impl Visitor<'_> for Timestamp {
    type Value = DateTime<Utc>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an RFC 3339 timestamp")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<DateTime<Utc>, E> {
        DateTime::parse_from_rfc3339(text)
            .or_else(|_| text.parse::<DateTime<FixedOffset>>())
            .map(|time| time.with_timezone(&Utc))
            .map_err(E::custom)
    }
}

struct MaybeTimestamp;

impl<'de> Visitor<'de> for MaybeTimestamp {
    type Value = Option<DateTime<Utc>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an RFC 3339 timestamp or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        utc(deserializer).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Times {
        #[serde(deserialize_with = "super::utc")]
        at: DateTime<Utc>,
        #[serde(default, deserialize_with = "super::utc_option")]
        maybe: Option<DateTime<Utc>>,
    }

    fn read(json: &str) -> Result<Times, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn timestamps_read_as_chrono_reads_them() {
        for text in [
            "2019-11-09T11:50:28.889080521Z",
            "2018-11-15T16:00:11+02:00",
            "2018-11-15 16:00:11Z",
            "2018-11-15t16:00:11z",
        ] {
            let ours = read(&format!(r#"{{"at": "{text}"}}"#)).unwrap().at;
            let chronos: DateTime<Utc> = serde_json::from_str(&format!("{text:?}")).unwrap();
            assert_eq!(ours, chronos, "{text}");
        }
        let times = read(r#"{"at": "2018-11-15T16:00:11Z", "maybe": null}"#).unwrap();
        assert_eq!(times.maybe, None);
        let times = read(r#"{"at": "2018-11-15T16:00:11Z"}"#).unwrap();
        assert_eq!(times.maybe, None, "missing is None");
        let times = read(r#"{"at": "2018-11-15T16:00:11Z", "maybe": "2018-11-15T16:00:12Z"}"#);
        assert!(times.unwrap().maybe.is_some());
        for bad in [
            r#"{"at": "yesterday"}"#,
            r#"{"at": 5}"#,
            r#"{"at": null}"#,
            "{}",
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }
}
