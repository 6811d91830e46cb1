//! `open_enum!`: the Rust shape of a spec's `x-extensible-enum` schemas.
//!
//! Providers add values (new cluster states, sizes, regions). An open enum names every value
//! the spec knows and keeps any other in `Unknown`, unchanged, so a new value never fails a
//! response and is sent back exactly as it came. The generated code invokes this macro once per
//! such schema (see `codegen/src/enums.rs`), through `crate::generated_support`.
//!
//! It stays a macro rather than code the generator writes out: nothing in it depends on the
//! spec but the names and values, so the shape is written once, here, where it is compiled and
//! unit-tested with the crate (below), and each generated file stays one short invocation per
//! schema instead of a hundred lines of impls.

/// Defines an open enum over strings (`Name: str { Variant = "value", .. }`) or integers
/// (`Name: i64 { Variant = 3, .. }`), with `KNOWN`, `as_str`/`as_i64`, `is_unknown`, `From`,
/// `FromStr`, `Display` and serde impls that read known values without allocating.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident: str {
            $( $(#[$variant_meta:meta])* $variant:ident = $value:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )*
            /// A value this version of kaas does not know, kept as sent.
            Unknown(::std::string::String),
        }

        impl $name {
            /// Every value this version of kaas knows, in the spec's order.
            pub const KNOWN: &'static [Self] = &[$(Self::$variant),*];

            /// The value as it appears on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $value, )*
                    Self::Unknown(other) => other.as_str(),
                }
            }

            /// Whether the value is one this version of kaas does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $value => Self::$variant, )*
                    other => Self::Unknown(other.to_string()),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(value: ::std::string::String) -> Self {
                match value.as_str() {
                    $( $value => Self::$variant, )*
                    _ => Self::Unknown(value),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                struct Visitor;
                impl ::serde::de::Visitor<'_> for Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " string"))
                    }
                    fn visit_str<E: ::serde::de::Error>(
                        self,
                        value: &str,
                    ) -> ::std::result::Result<$name, E> {
                        Ok($name::from(value))
                    }
                    fn visit_string<E: ::serde::de::Error>(
                        self,
                        value: ::std::string::String,
                    ) -> ::std::result::Result<$name, E> {
                        Ok($name::from(value))
                    }
                }
                deserializer.deserialize_str(Visitor)
            }
        }
    };
    (
        $(#[$meta:meta])*
        $name:ident: i64 {
            $( $(#[$variant_meta:meta])* $variant:ident = $value:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )*
            /// A value this version of kaas does not know, kept as sent.
            Unknown(i64),
        }

        impl $name {
            /// Every value this version of kaas knows, in the spec's order.
            pub const KNOWN: &'static [Self] = &[$(Self::$variant),*];

            /// The number as it appears on the wire.
            pub fn as_i64(&self) -> i64 {
                match self {
                    $( Self::$variant => $value, )*
                    Self::Unknown(other) => *other,
                }
            }

            /// Whether the value is one this version of kaas does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl ::std::convert::From<i64> for $name {
            fn from(value: i64) -> Self {
                match value {
                    $( $value => Self::$variant, )*
                    other => Self::Unknown(other),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::num::ParseIntError;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                value.trim().parse::<i64>().map(Self::from)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{}", self.as_i64())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.as_i64())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                <i64 as ::serde::Deserialize>::deserialize(deserializer).map(Self::from)
            }
        }
    };
}
pub(crate) use open_enum;

#[cfg(test)]
mod tests {
    open_enum! {
        /// A test enum.
        Colour: str {
            /// `red`
            Red = "red",
            /// `light blue`
            LightBlue = "light blue",
        }
    }

    open_enum! {
        /// A numbered test enum.
        Health: i64 {
            /// `0`
            Unknown0 = 0,
            /// `3`
            Healthy = 3,
        }
    }

    #[test]
    fn known_values_by_name_unknown_ones_kept_as_sent() {
        let decoded: Vec<Colour> =
            serde_json::from_str(r#"["red", "light blue", "ultraviolet"]"#).unwrap();
        assert_eq!(
            decoded,
            [
                Colour::Red,
                Colour::LightBlue,
                Colour::Unknown("ultraviolet".into())
            ]
        );
        assert_eq!(
            serde_json::to_string(&decoded).unwrap(),
            r#"["red","light blue","ultraviolet"]"#
        );
        assert!(decoded[2].is_unknown() && !decoded[0].is_unknown());
        assert_eq!(Colour::KNOWN, [Colour::Red, Colour::LightBlue]);
        assert_eq!("light blue".parse::<Colour>().unwrap(), Colour::LightBlue);
        assert_eq!(Colour::from(String::from("x")).to_string(), "x");
        assert!(serde_json::from_str::<Colour>("3").is_err());
    }

    #[test]
    fn integer_values_too() {
        let decoded: Vec<Health> = serde_json::from_str("[3, 0, 9]").unwrap();
        assert_eq!(
            decoded,
            [Health::Healthy, Health::Unknown0, Health::Unknown(9)]
        );
        assert_eq!(serde_json::to_string(&decoded).unwrap(), "[3,0,9]");
        assert_eq!(" 3 ".parse::<Health>().unwrap(), Health::Healthy);
        assert_eq!(Health::Unknown(9).to_string(), "9");
        assert!(Health::Unknown(9).is_unknown() && !Health::KNOWN[0].is_unknown());
    }
}
