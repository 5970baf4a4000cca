//! `room-channel/<muc domain>.json`: which rooms belong to which local channel
//! (plugin `server/lib/room-channel/room-channel-class.ts`).

use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

use super::types::{UniqueVec, pattern_string};

pattern_string!(
    /// A local channel id as the plugin writes it: a positive decimal integer without
    /// leading zeros. (The plugin reads any `^\d+$` key with `parseInt`.)
    ChannelKey,
    r"^[1-9][0-9]*$"
);

pattern_string!(
    /// A room local part: a lower-case video UUID (room type `video`, the default) or
    /// `channel.<channel id>` (room type `channel`).
    RoomLocalPart,
    r"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|channel\.[1-9][0-9]*)$"
);

/// `room-channel/room.<instance host>.json`: `{"<channel id>": ["<room local part>",
/// ...]}`. Only the file of the current MUC domain is read; one for another domain is
/// a leftover of a domain change. A channel id keeps `[]` after its last room is
/// removed. When the file is missing, does not parse or is not an object, the plugin
/// rebuilds it from Prosody's rooms at start; JSON `null` is read as an empty map and
/// loses every link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RoomChannel(pub BTreeMap<ChannelKey, UniqueVec<RoomLocalPart>>);

impl JsonSchema for RoomChannel {
    fn schema_name() -> Cow<'static, str> {
        "RoomChannel".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let rooms = generator.subschema_for::<UniqueVec<RoomLocalPart>>();
        let mut schema = json_schema!({
            "type": "object",
            "propertyNames": { "pattern": ChannelKey::PATTERN },
            "additionalProperties": rooms,
        });
        schema.insert(
            "description".into(),
            "`room-channel/room.<instance host>.json`: `{\"<channel id>\": [\"<room local part>\", ...]}`. \
Only the file of the current MUC domain is read; one for another domain is a leftover of a domain change. \
A channel id keeps `[]` after its last room is removed. When the file is missing, does not parse or is not an \
object, the plugin rebuilds it from Prosody's rooms at start; JSON `null` is read as an empty map and loses \
every link."
                .into(),
        );
        schema
    }
}
