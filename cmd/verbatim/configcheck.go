package main

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// checkConfigNode walks a parsed config file against the shape of
// fileConfig before it is decoded, so that a mistake is told in the file's
// terms — the line, the key and what is allowed there — and never in Go's
// (struct types, !!int, time.Duration).
func checkConfigNode(n *yaml.Node) error {
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		n = n.Content[0]
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil // an empty file, or only comments
	}
	return checkNode(n, reflect.TypeFor[fileConfig](), "")
}

var durationType = reflect.TypeFor[time.Duration]()

// checkNode checks node n, found at key path (dotted; "" for the top),
// against type t.
func checkNode(n *yaml.Node, t reflect.Type, path string) error {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil // "key:" with nothing after it leaves the default
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	at := func(format string, args ...any) error {
		return fmt.Errorf("line %d: %s", n.Line, fmt.Sprintf(format, args...))
	}
	switch {
	case t == durationType:
		if n.Kind != yaml.ScalarNode {
			return at("%s must be a duration such as 10s or 2m, not %s", path, kindName(n))
		}
		if _, err := time.ParseDuration(n.Value); err != nil {
			return at("%s: %q is not a duration; write e.g. 10s or 2m", path, n.Value)
		}
	case t.Kind() == reflect.Struct:
		keys := knownKeys(t)
		if n.Kind != yaml.MappingNode {
			if path == "" {
				return at("the config must be a section of keys (%s), not %s", strings.Join(keys, ", "), kindName(n))
			}
			return at("%s must be a section of keys (%s), not %s", path, strings.Join(keys, ", "), kindName(n))
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			f, ok := fieldOf(t, k.Value)
			if !ok {
				under := ""
				if path != "" {
					under = fmt.Sprintf(" under %q", path)
				}
				return fmt.Errorf("line %d: unknown key %q%s; known keys: %s", k.Line, k.Value, under, strings.Join(keys, ", "))
			}
			if err := checkNode(v, f.Type, join(path, k.Value)); err != nil {
				return err
			}
		}
	case t.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return at("%s must be a list, like [a, b], not %s", path, kindName(n))
		}
		for i, item := range n.Content {
			if err := checkNode(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case n.Kind != yaml.ScalarNode:
		what := map[reflect.Kind]string{reflect.String: "a text", reflect.Float64: "a number", reflect.Int: "a whole number", reflect.Int64: "a whole number", reflect.Bool: "true or false"}[t.Kind()]
		if what == "" {
			what = "a single value"
		}
		return at("%s must be %s, not %s", path, what, kindName(n))
	case t.Kind() == reflect.Float64:
		if _, err := strconv.ParseFloat(n.Value, 64); err != nil {
			return at("%s: %q is not a number", path, n.Value)
		}
	case t.Kind() == reflect.Int || t.Kind() == reflect.Int64:
		if _, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err != nil {
			return at("%s: %q is not a whole number", path, n.Value)
		}
	}
	return nil
}

// kindName says what a node is, in words.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a section of keys"
	case yaml.SequenceNode:
		return "a list"
	}
	return "a single value"
}

// knownKeys returns the yaml keys of a struct type, in its order.
func knownKeys(t reflect.Type) []string {
	var keys []string
	for i := range t.NumField() {
		if k := yamlKey(t.Field(i)); k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}

// fieldOf returns the field of struct type t read from key.
func fieldOf(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		if f := t.Field(i); yamlKey(f) == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func yamlKey(f reflect.StructField) string {
	k, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if k == "-" {
		return ""
	}
	return k
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
