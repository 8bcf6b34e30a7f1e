package corpus

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"time"
)

//go:embed seeds/*.txt
var seedFS embed.FS

// SeedAddedBy is the added_by of the seed articles.
const SeedAddedBy = "verbatim (seed library)"

// SeedFiles returns the names and bytes of the seed articles embedded in the
// binary, in name order: the default global library.
func SeedFiles() (map[string][]byte, []string, error) {
	entries, err := fs.ReadDir(seedFS, "seeds")
	if err != nil {
		return nil, nil, fmt.Errorf("reading embedded seeds: %w", err)
	}
	files := map[string][]byte{}
	var names []string
	for _, e := range entries {
		b, err := seedFS.ReadFile("seeds/" + e.Name())
		if err != nil {
			return nil, nil, fmt.Errorf("reading embedded seed %s: %w", e.Name(), err)
		}
		files[e.Name()] = b
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return files, names, nil
}

// SeedSources parses the embedded seed articles into global sources, each
// with its file name as origin.
func SeedSources(chunker *Chunker, now time.Time) ([]Source, error) {
	files, names, err := SeedFiles()
	if err != nil {
		return nil, err
	}
	var out []Source
	for _, name := range names {
		doc, err := ParseText(files[name])
		if err != nil {
			return nil, fmt.Errorf("parsing seed %s: %w", name, err)
		}
		src, err := NewSource(doc, Meta{Scope: GlobalScope, Origin: name, AddedBy: SeedAddedBy, Snapshot: files[name], SnapshotType: "text/plain"}, chunker, now)
		if err != nil {
			return nil, fmt.Errorf("seed %s: %w", name, err)
		}
		out = append(out, src)
	}
	return out, nil
}
