//! `string_enum!`: a closed list of values with stable names, parsed with a clear error.

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident, $kind:literal, $expected:literal, { $($(#[$vm:meta])* $v:ident => $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v),+ }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$v),+];

            /// The stable name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s),+ }
            }

            /// Parse a stable name.
            pub fn parse(s: &str) -> Result<Self, DomainError> {
                match s {
                    $($s => Ok($name::$v),)+
                    _ => Err(DomainError::UnknownValue { kind: $kind, value: s.to_owned(), expected: $expected }),
                }
            }
        }
    };
}
