package bot

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/verbatim-bot/verbatim/retrieval"
)

// Shards says which of Discord's gateway shards a process runs. Discord
// sends each server's events to one shard, (guild_id >> 22) % Count, and
// direct messages to shard 0; a bot in more than 2,500 servers must shard.
// A process runs one gateway session per shard in IDs and answers only in
// the servers of those shards (and in DMs when it runs shard 0).
type Shards struct {
	// Count is the number of shards of the whole bot; 0 or 1 is one shard,
	// unsharded, as a bot in few servers runs.
	Count int
	// IDs are the shards this process runs, each in 0..Count-1; empty
	// means all of them.
	IDs []int
}

// count is the number of shards, at least 1.
func (s Shards) count() int { return max(1, s.Count) }

// ids returns the shards the process runs, sorted.
func (s Shards) ids() []int {
	if len(s.IDs) == 0 {
		ids := make([]int, s.count())
		for i := range ids {
			ids[i] = i
		}
		return ids
	}
	ids := slices.Clone(s.IDs)
	slices.Sort(ids)
	return ids
}

// Validate says what is wrong with the setting, if anything.
func (s Shards) Validate() error {
	if s.Count < 0 {
		return fmt.Errorf("shards: count must be 1 or more, not %d", s.Count)
	}
	seen := map[int]bool{}
	for _, id := range s.IDs {
		if id < 0 || id >= s.count() {
			return fmt.Errorf("shards: id %d is not one of the %d shards (0 to %d)", id, s.count(), s.count()-1)
		}
		if seen[id] {
			return fmt.Errorf("shards: id %d is listed twice", id)
		}
		seen[id] = true
	}
	return nil
}

// ShardOf is the shard of count that Discord sends a server's events to:
// (guild_id >> 22) % count; a DM ("") and an id that is not a snowflake
// belong to shard 0.
func ShardOf(guildID string, count int) int {
	id, err := strconv.ParseUint(guildID, 10, 64)
	if err != nil || count <= 1 {
		return 0
	}
	return int((id >> 22) % uint64(count))
}

// Owns reports whether the process answers in a server ("": in DMs).
func (s Shards) Owns(guildID string) bool {
	return s.runs(ShardOf(guildID, s.count()))
}

// runs reports whether the process runs shard id.
func (s Shards) runs(id int) bool {
	return len(s.IDs) == 0 || slices.Contains(s.IDs, id)
}

// all reports whether the process runs every shard.
func (s Shards) all() bool { return len(s.ids()) == s.count() }

// String names the shards the process runs: "shards 0,2 of 4".
func (s Shards) String() string {
	ids := s.ids()
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.Itoa(id)
	}
	return fmt.Sprintf("shards %s of %d", strings.Join(parts, ","), s.count())
}

// Partition is the part of the library a process running these shards
// indexes: the global library and its servers' libraries; nil when it runs
// every shard (the whole library).
func (s Shards) Partition() *retrieval.Partition {
	if s.Validate() != nil || s.all() {
		return nil
	}
	return &retrieval.Partition{Name: s.String(), Holds: s.Owns}
}
