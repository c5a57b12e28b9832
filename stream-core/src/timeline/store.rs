//! The Redis side of timelines: keys, members, the scripts that keep a timeline's invariant,
//! and one connection type over a single node or a cluster.
//!
//! A timeline is one sorted set, `<prefix>:tl:{<follower>}` (the braces are the cluster hash
//! tag: every command on one timeline goes to one slot). All its members have score 0, so
//! Redis orders them by their bytes, and each entry is 32 hex digits: the action's timestamp
//! in microseconds, then its id, each an `i64` with the sign bit flipped. Byte order is then
//! exactly `(timestamp, id)` order, the order of every SQL page, ties included; a score (a
//! double) could hold neither both numbers nor every microsecond of the years 1000 to 9999.
//!
//! Three markers sit outside the range of entries (`[0` .. `(~`):
//! - `~` — the timeline is *warm*: it holds every entry of the follower's stream from its
//!   lowest entry (its floor) up;
//! - `!` — the floor is the beginning: the timeline holds the whole stream;
//! - `#` — being rebuilt: fan-out adds to it, readers do not trust it yet.

use crate::Cursor;
use futures_util::{StreamExt, TryStreamExt};
use redis::aio::{ConnectionLike, ConnectionManager};
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, Pipeline, RedisFuture, RedisResult, Script, Value};

/// The sign bit: flipping it makes `i64` order and unsigned (byte) order agree.
const SIGN: u64 = 1 << 63;

/// The member of the entry for the action `(timestamp, id)`.
pub(crate) fn member(timestamp_micros: i64, id: i64) -> String {
    format!(
        "{:016x}{:016x}",
        (timestamp_micros as u64) ^ SIGN,
        (id as u64) ^ SIGN
    )
}

/// The member of the entry the cursor points at.
pub(crate) fn cursor_member(cursor: &Cursor) -> String {
    member(cursor.timestamp().timestamp_micros(), cursor.id())
}

/// `(timestamp micros, id)` of an entry; `None` for anything else.
pub(crate) fn parse_member(member: &str) -> Option<(i64, i64)> {
    if member.len() != 32 {
        return None;
    }
    let timestamp = u64::from_str_radix(member.get(..16)?, 16).ok()?;
    let id = u64::from_str_radix(member.get(16..)?, 16).ok()?;
    Some(((timestamp ^ SIGN) as i64, (id ^ SIGN) as i64))
}

/// Shared by the scripts: trim the timeline to `cap` entries, dropping the oldest (and with
/// them the claim to hold the whole stream).
const TRIM: &str = r"
local function trim(k, cap)
  local n = redis.call('ZLEXCOUNT', k, '[0', '(~')
  if n > cap then
    redis.call('ZREM', k, '!')
    local last = redis.call('ZRANGE', k, '[0', '(~', 'BYLEX', 'LIMIT', n - cap - 1, 1)[1]
    redis.call('ZREMRANGEBYLEX', k, '[0', '[' .. last)
  end
end
local function lowest(k)
  return redis.call('ZRANGE', k, '[0', '(~', 'BYLEX', 'LIMIT', 0, 1)[1]
end
";

/// Add one entry (ARGV[1]) to a warm timeline, keeping it capped at ARGV[2]; to one being
/// rebuilt, add it as is; a cold (missing) timeline stays missing. An entry below the floor
/// of a timeline that does not hold the whole stream is left out: it would leave a gap.
const FAN_OUT: &str = r"
local k = KEYS[1]
if not redis.call('ZSCORE', k, '~') then
  if redis.call('ZSCORE', k, '#') then
    redis.call('ZADD', k, 0, ARGV[1])
    return 1
  end
  return 0
end
if not redis.call('ZSCORE', k, '!') then
  local floor = lowest(k)
  if (not floor) or ARGV[1] < floor then return 0 end
end
redis.call('ZADD', k, 0, ARGV[1])
trim(k, tonumber(ARGV[2]))
return 1
";

/// Start a rebuild: mark the timeline `#` (for ARGV[1] seconds at most, should the builder
/// die), unless a rebuild is under way or the timeline is warm and serves (another rebuild
/// asked for it meanwhile). Returns whether this caller builds.
const BEGIN_REBUILD: &str = r"
local k = KEYS[1]
if redis.call('ZSCORE', k, '#') then return 0 end
if redis.call('ZSCORE', k, '~') and (redis.call('ZSCORE', k, '!')
    or redis.call('ZLEXCOUNT', k, '[0', '(~') > 0) then
  return 0
end
redis.call('DEL', k)
redis.call('ZADD', k, 0, '#')
redis.call('EXPIRE', k, tonumber(ARGV[1]))
return 1
";

/// Finish a rebuild: ARGV = cap, ttl seconds, floor ('' when the entries are the whole
/// stream), entries... Entries fanned out meanwhile stay; those below the floor go.
const FINISH_REBUILD: &str = r"
local k = KEYS[1]
if not redis.call('ZSCORE', k, '#') then return 0 end
for i = 4, #ARGV, 500 do
  redis.call('ZADD', k, unpack(zadd_args(i, math.min(i + 499, #ARGV))))
end
if ARGV[3] == '' then
  redis.call('ZADD', k, 0, '!')
else
  redis.call('ZREMRANGEBYLEX', k, '[0', '(' .. ARGV[3])
end
redis.call('ZREM', k, '#')
redis.call('ZADD', k, 0, '~')
trim(k, tonumber(ARGV[1]))
redis.call('EXPIRE', k, tonumber(ARGV[2]))
return 1
";

/// Add a newly followed object's recent entries to a warm timeline: ARGV = cap, the floor of
/// those entries ('' when they are all of the object's), entries... The new floor is the
/// higher of the two, so the timeline still holds everything from its floor up.
const BACKFILL: &str = r"
local k = KEYS[1]
if not redis.call('ZSCORE', k, '~') then return 0 end
local floor = ARGV[2]
if not redis.call('ZSCORE', k, '!') then
  local own = lowest(k)
  if not own then return 0 end
  if floor == '' or own > floor then floor = own end
end
if floor ~= '' then
  redis.call('ZREM', k, '!')
  redis.call('ZREMRANGEBYLEX', k, '[0', '(' .. floor)
end
for i = 3, #ARGV do
  if floor == '' or ARGV[i] >= floor then redis.call('ZADD', k, 0, ARGV[i]) end
end
trim(k, tonumber(ARGV[1]))
return 1
";

/// `ZADD` arguments `0 m 0 m ..` for ARGV[from..=to], for the rebuild's batches.
const ZADD_ARGS: &str = r"
local function zadd_args(from, to)
  local out = {}
  for i = from, to do
    out[#out + 1] = 0
    out[#out + 1] = ARGV[i]
  end
  return out
end
";

/// The scripts, compiled once per process (a `Script` is its text and SHA-1).
pub(crate) struct Scripts {
    pub(crate) fan_out: Script,
    pub(crate) begin_rebuild: Script,
    pub(crate) finish_rebuild: Script,
    pub(crate) backfill: Script,
}

impl Scripts {
    pub(crate) fn new() -> Self {
        Scripts {
            fan_out: Script::new(&format!("{TRIM}{FAN_OUT}")),
            begin_rebuild: Script::new(BEGIN_REBUILD),
            finish_rebuild: Script::new(&format!("{TRIM}{ZADD_ARGS}{FINISH_REBUILD}")),
            backfill: Script::new(&format!("{TRIM}{BACKFILL}")),
        }
    }
}

/// A connection to a single Redis server or to a cluster; cheap to clone, reconnecting by
/// itself, multiplexed (concurrent commands share one socket and are pipelined on it).
#[derive(Clone)]
pub(crate) enum RedisConnection {
    Node(ConnectionManager),
    Cluster(ClusterConnection),
}

impl ConnectionLike for RedisConnection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            RedisConnection::Node(conn) => conn.req_packed_command(cmd),
            RedisConnection::Cluster(conn) => conn.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            RedisConnection::Node(conn) => conn.req_packed_commands(pipeline, offset, count),
            RedisConnection::Cluster(conn) => conn.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            RedisConnection::Node(conn) => conn.get_db(),
            RedisConnection::Cluster(conn) => conn.get_db(),
        }
    }
}

impl RedisConnection {
    /// Run `script` on each `(key, args)`, at most `in_flight` at a time (pipelined on the
    /// connection; on a cluster each goes to its key's node). Returns how many returned 1.
    pub(crate) async fn run_each(
        &self,
        script: &Script,
        calls: Vec<(String, Vec<String>)>,
        in_flight: usize,
    ) -> RedisResult<usize> {
        futures_util::stream::iter(calls)
            .map(|(key, args)| {
                let mut conn = self.clone();
                async move {
                    let mut invocation = script.key(key);
                    for arg in args {
                        invocation.arg(arg);
                    }
                    invocation.invoke_async::<i64>(&mut conn).await
                }
            })
            .buffer_unordered(in_flight.max(1))
            .try_fold(
                0,
                |done, one| async move { Ok(done + usize::from(one == 1)) },
            )
            .await
    }

    /// Run `cmd` (each on one key) for each key, at most `in_flight` at a time.
    pub(crate) async fn each(&self, cmds: Vec<Cmd>, in_flight: usize) -> RedisResult<()> {
        futures_util::stream::iter(cmds)
            .map(|cmd| {
                let mut conn = self.clone();
                async move { cmd.query_async::<()>(&mut conn).await }
            })
            .buffer_unordered(in_flight.max(1))
            .try_collect::<Vec<()>>()
            .await
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_sort_as_timestamp_then_id() {
        let keys = [
            (-30_610_224_000_000_000, 1), // the year 1000
            (-1, 5),
            (0, 0),
            (1_700_000_000_000_000, 9),
            (1_700_000_000_000_000, 10), // a tie: the id decides
            (1_700_000_000_000_001, 2),
            (253_402_300_799_999_999, i64::MAX), // the end of 9999
        ];
        let members: Vec<String> = keys.iter().map(|&(t, id)| member(t, id)).collect();
        let mut sorted = members.clone();
        sorted.sort();
        assert_eq!(sorted, members);
        for (member, key) in members.iter().zip(keys) {
            assert_eq!(member.len(), 32);
            assert!(member.as_str() > "0" && member.as_str() < "~");
            assert_eq!(parse_member(member), Some(key));
        }
        assert_eq!(parse_member("~"), None);
        assert_eq!(parse_member(&"z".repeat(32)), None);
    }
}
