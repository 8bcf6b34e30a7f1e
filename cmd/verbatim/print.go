package main

import (
	"encoding/json"
	"fmt"
	"io"
)

// printJSON writes v as indented JSON, without HTML escaping (quotes are
// printed as they are in the article).
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	return nil
}

// orUnknown shows a missing outlet as "outlet unknown".
func orUnknown(outlet string) string {
	if outlet == "" {
		return "outlet unknown"
	}
	return outlet
}

// orDash shows an unknown value as a dash.
func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
