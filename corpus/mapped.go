package corpus

import bolt "go.etcd.io/bbolt"

// DropResident takes the pages of the store file that the process has
// mapped out of its resident set (DropMappedPages): bbolt reads the file
// through a memory map, and a bulk add touches more of it with every
// transaction, so the RSS would grow with the store. The pages stay in the
// page cache; reading them again costs a minor fault. It runs inside a read
// transaction, which keeps bbolt from remapping the file meanwhile.
func (s *BoltStore) DropResident() error {
	if !MappedPagesDroppable {
		return nil
	}
	return s.view(func(*bolt.Tx) error { return DropMappedPages([]string{s.path}) })
}
