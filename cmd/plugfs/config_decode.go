package main

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// A strict YAML decoder for the configuration file: every key must be
// known, every value of the right kind, each key given once. Errors name
// the key path ("volumes[1].mount.read_only") and the line. yaml's own
// KnownFields does not survive custom unmarshalers and says neither the
// path nor the fix, hence this small walker over yaml.Node.

// defaulter is implemented by file structs that start from defaults
// before their keys are decoded (a key given as 0 then means 0).
type defaulter interface{ setDefaults() }

var durationType = reflect.TypeOf(time.Duration(0))

// nodeDecoder decodes one document and remembers the line of every key.
type nodeDecoder struct {
	lines map[string]int // key path -> line
}

func (d *nodeDecoder) fail(n *yaml.Node, key, format string, args ...any) error {
	return &configError{Line: n.Line, Key: key, Msg: fmt.Sprintf(format, args...)}
}

func (d *nodeDecoder) decode(n *yaml.Node, key string, v reflect.Value) error {
	if n.Kind == 0 {
		return nil // an empty file: every default
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		n = n.Content[0]
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if key != "" {
		if _, seen := d.lines[key]; !seen {
			d.lines[key] = n.Line
		}
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil // "key:" with nothing: the default
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	switch {
	case v.Type() == durationType:
		return d.duration(n, key, v)
	case v.Kind() == reflect.Struct:
		return d.structure(n, key, v)
	case v.Kind() == reflect.Map:
		return d.stringMap(n, key, v)
	case v.Kind() == reflect.Slice:
		return d.slice(n, key, v)
	case v.Kind() == reflect.String:
		if n.Kind != yaml.ScalarNode {
			return d.fail(n, key, "want a string, got %s", kindName(n))
		}
		v.SetString(n.Value)
	case v.Kind() == reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			return d.fail(n, key, "want true or false, got %s", kindName(n))
		}
		v.SetBool(n.Value == "true" || n.Value == "True" || n.Value == "TRUE")
	default:
		return d.fail(n, key, "cannot decode into %s", v.Type())
	}
	return nil
}

func (d *nodeDecoder) duration(n *yaml.Node, key string, v reflect.Value) error {
	if n.Kind != yaml.ScalarNode {
		return d.fail(n, key, "want a duration such as 30s or 1m30s, got %s", kindName(n))
	}
	if n.Tag == "!!int" && n.Value == "0" {
		v.SetInt(0)
		return nil
	}
	dur, err := time.ParseDuration(n.Value)
	if err != nil {
		return d.fail(n, key, "want a duration such as 30s or 1m30s (with a unit), got %q", n.Value)
	}
	v.SetInt(int64(dur))
	return nil
}

func (d *nodeDecoder) structure(n *yaml.Node, key string, v reflect.Value) error {
	if n.Kind != yaml.MappingNode {
		return d.fail(n, key, "want a mapping of keys, got %s", kindName(n))
	}
	fields := map[string]int{}
	for i := 0; i < v.NumField(); i++ {
		if tag, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("yaml"), ","); tag != "" && tag != "-" {
			fields[tag] = i
		}
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		sub := joinKey(key, kn.Value)
		if kn.Kind != yaml.ScalarNode {
			return d.fail(kn, key, "keys must be plain names")
		}
		if kn.Value == "<<" {
			return d.fail(kn, key, "merge keys (<<) are not supported: write the keys out")
		}
		fi, ok := fields[kn.Value]
		if !ok {
			return d.fail(kn, sub, "unknown key; known keys here: %s", knownKeys(fields))
		}
		if seen[kn.Value] {
			return d.fail(kn, sub, "given twice")
		}
		seen[kn.Value] = true
		d.lines[sub] = kn.Line
		if err := d.decode(vn, sub, v.Field(fi)); err != nil {
			return err
		}
	}
	return nil
}

func (d *nodeDecoder) stringMap(n *yaml.Node, key string, v reflect.Value) error {
	if v.Type().Key().Kind() != reflect.String || v.Type().Elem().Kind() != reflect.String {
		return d.fail(n, key, "cannot decode into %s", v.Type())
	}
	if n.Kind != yaml.MappingNode {
		return d.fail(n, key, "want a mapping of name: value, got %s", kindName(n))
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		sub := joinKey(key, kn.Value)
		if kn.Kind != yaml.ScalarNode {
			return d.fail(kn, key, "keys must be plain names")
		}
		if v.MapIndex(reflect.ValueOf(kn.Value)).IsValid() {
			return d.fail(kn, sub, "given twice")
		}
		if vn.Kind == yaml.AliasNode {
			vn = vn.Alias
		}
		if vn.Kind != yaml.ScalarNode {
			return d.fail(vn, sub, "want a plain value (string, number or boolean), got %s", kindName(vn))
		}
		val := vn.Value
		if vn.Tag == "!!null" {
			val = ""
		}
		d.lines[sub] = kn.Line
		v.SetMapIndex(reflect.ValueOf(kn.Value), reflect.ValueOf(val))
	}
	return nil
}

func (d *nodeDecoder) slice(n *yaml.Node, key string, v reflect.Value) error {
	if n.Kind != yaml.SequenceNode {
		return d.fail(n, key, "want a list, got %s", kindName(n))
	}
	out := reflect.MakeSlice(v.Type(), 0, len(n.Content))
	for i, en := range n.Content {
		ev := reflect.New(v.Type().Elem())
		if df, ok := ev.Interface().(defaulter); ok {
			df.setDefaults()
		}
		if err := d.decode(en, fmt.Sprintf("%s[%d]", key, i), ev.Elem()); err != nil {
			return err
		}
		out = reflect.Append(out, ev.Elem())
	}
	v.Set(out)
	return nil
}

// lineOf returns the line of key or of its nearest enclosing key, or 0.
func (d *nodeDecoder) lineOf(key string) int {
	for k := key; k != ""; {
		if l, ok := d.lines[k]; ok {
			return l
		}
		i := strings.LastIndexAny(k, ".[")
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return 0
}

func joinKey(parent, k string) string {
	if parent == "" {
		return k
	}
	return parent + "." + k
}

func knownKeys(fields map[string]int) string {
	ks := make([]string, 0, len(fields))
	for k := range fields {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%s %q", strings.TrimPrefix(n.Tag, "!!"), n.Value)
	}
	return "something else"
}
