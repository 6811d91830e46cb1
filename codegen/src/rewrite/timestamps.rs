//! Timestamps are read fast: every `::chrono::DateTime<::chrono::offset::Utc>` field of a
//! deserializable struct gets the support module's RFC 3339 reader (`utc` / `utc_option`),
//! several times faster than chrono's generic parser behind `DateTime`'s own `Deserialize`.
//! An optional timestamp also gets `default`, so a missing field stays `None` as before.

use syn::punctuated::Punctuated;

use super::{Context, Rewrite};

/// The timestamp readers.
pub struct Timestamps;

impl Rewrite for Timestamps {
    fn item_struct(&mut self, _cx: &mut Context, item: &mut syn::ItemStruct) {
        if !derives(&item.attrs, "Deserialize") {
            return;
        }
        for field in item.fields.iter_mut() {
            let optional = match option_of(&field.ty) {
                Some(inner) if is_utc_timestamp(inner) => true,
                None if is_utc_timestamp(&field.ty) => false,
                _ => continue,
            };
            // serde takes the reader's path as a string.
            let reader = format!(
                "{}::{}",
                crate::SUPPORT,
                if optional { "utc_option" } else { "utc" }
            );
            let has_default = field.attrs.iter().any(|a| {
                a.path().is_ident("serde")
                    && a.parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
                        .is_ok_and(|metas| metas.iter().any(|m| m.path().is_ident("default")))
            });
            field.attrs.push(if optional && !has_default {
                syn::parse_quote!(#[serde(default, deserialize_with = #reader)])
            } else {
                syn::parse_quote!(#[serde(deserialize_with = #reader)])
            });
        }
    }
}

/// Whether `attrs` hold a `#[derive(..)]` naming `name` (at any path).
fn derives(attrs: &[syn::Attribute], name: &str) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("derive")
            && a.parse_args_with(Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
                .is_ok_and(|paths| {
                    paths
                        .iter()
                        .any(|p| p.segments.last().is_some_and(|s| s.ident == name))
                })
    })
}

/// The single generic argument of `::std::option::Option<T>`.
fn option_of(ty: &syn::Type) -> Option<&syn::Type> {
    generic_of(ty, &["std", "option", "Option"])
}

/// Whether `ty` is `::chrono::DateTime<::chrono::offset::Utc>`.
fn is_utc_timestamp(ty: &syn::Type) -> bool {
    generic_of(ty, &["chrono", "DateTime"]).is_some_and(|zone| {
        matches!(zone, syn::Type::Path(p) if p.qself.is_none() && p.path.leading_colon.is_some() && super::path_is(&p.path, &["chrono", "offset", "Utc"]))
    })
}

/// `T` of `::a::b::Name<T>` when `ty` is that path (absolute, as progenitor writes it).
fn generic_of<'t>(ty: &'t syn::Type, names: &[&str]) -> Option<&'t syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let segments = &path.path.segments;
    let same_path = path.qself.is_none()
        && path.path.leading_colon.is_some()
        && segments.len() == names.len()
        && segments.iter().zip(names).all(|(s, n)| s.ident == n);
    if !same_path {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &segments.last()?.arguments else {
        return None;
    };
    match (args.args.len(), args.args.first()) {
        (1, Some(syn::GenericArgument::Type(inner))) => Some(inner),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_fields_of_deserializable_structs_get_the_fast_reader() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct Thing {
                    pub at: ::chrono::DateTime<::chrono::offset::Utc>,
                    #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                    pub maybe: ::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,
                    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
                    pub defaulted: ::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,
                    pub name: ::std::string::String,
                    pub local: ::chrono::DateTime<::chrono::offset::Local>,
                }
                pub mod builder {
                    pub struct Thing {
                        at: Result<::chrono::DateTime<::chrono::offset::Utc>, String>,
                    }
                }
            }
        };
        super::super::run(&mut file, &mut [&mut Timestamps]).unwrap();
        let expected: syn::File = syn::parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct Thing {
                    #[serde(deserialize_with = "crate::generated_support::utc")]
                    pub at: ::chrono::DateTime<::chrono::offset::Utc>,
                    #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                    #[serde(default, deserialize_with = "crate::generated_support::utc_option")]
                    pub maybe: ::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,
                    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
                    #[serde(deserialize_with = "crate::generated_support::utc_option")]
                    pub defaulted: ::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,
                    pub name: ::std::string::String,
                    pub local: ::chrono::DateTime<::chrono::offset::Local>,
                }
                pub mod builder {
                    pub struct Thing {
                        at: Result<::chrono::DateTime<::chrono::offset::Utc>, String>,
                    }
                }
            }
        };
        assert_eq!(file, expected);
    }
}
