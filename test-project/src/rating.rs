//! The data the sample application stores with an action: a like's rating
//! (`data = crate::Rating` in the action entity), shown as stars under the like.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// How many stars a like gives, 1 to 5. Stored as `{"stars": 4}` in the action's `data`
/// column and read back with `action.data()`.
///
/// The range is the type's promise: a value outside it fails to serialize, so storing it
/// fails with `StreamError::UnserializableData` and stores nothing, and a stored value
/// outside it (written by hand, or by a version that allowed more) reads back as
/// `StreamError::InvalidData` for that action alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    /// 1 to 5.
    #[serde(
        serialize_with = "stars_in_range",
        deserialize_with = "stars_from_range"
    )]
    pub stars: u8,
}

impl Rating {
    /// The fewest stars.
    pub const MIN: u8 = 1;
    /// The most stars.
    pub const MAX: u8 = 5;

    /// A rating of `stars`, if it is 1 to 5.
    pub fn new(stars: u8) -> Option<Self> {
        (Self::MIN..=Self::MAX)
            .contains(&stars)
            .then_some(Rating { stars })
    }

    /// The rating as stars: `★★★★☆` for 4.
    pub fn stars_text(&self) -> String {
        let stars = usize::from(self.stars.min(Self::MAX));
        format!(
            "{}{}",
            "★".repeat(stars),
            "☆".repeat(usize::from(Self::MAX) - stars)
        )
    }
}

fn out_of_range(stars: u8) -> String {
    format!(
        "a rating is {} to {} stars, not {stars}",
        Rating::MIN,
        Rating::MAX
    )
}

fn stars_in_range<S: Serializer>(stars: &u8, serializer: S) -> Result<S::Ok, S::Error> {
    if Rating::new(*stars).is_none() {
        return Err(serde::ser::Error::custom(out_of_range(*stars)));
    }
    serializer.serialize_u8(*stars)
}

fn stars_from_range<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u8, D::Error> {
    let stars = u8::deserialize(deserializer)?;
    Rating::new(stars)
        .map(|rating| rating.stars)
        .ok_or_else(|| serde::de::Error::custom(out_of_range(stars)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_are_shown_out_of_five() {
        assert_eq!(Rating::new(4).unwrap().stars_text(), "★★★★☆");
        assert_eq!(Rating::new(1).unwrap().stars_text(), "★☆☆☆☆");
        assert!(Rating::new(0).is_none() && Rating::new(6).is_none());
    }
}
