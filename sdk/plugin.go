package sdk

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Plugin describes a plugin to Serve: its name, the options it accepts, and
// how to build the FileSystem from them.
type Plugin struct {
	// Name is the plugin's short name ("memfs"), shown by `plugfs list`.
	Name string
	// Version is the plugin's own version, free-form.
	Version string
	// Description is one line for `plugfs plugins`.
	Description string
	// Options lists every option the plugin accepts. Options not listed
	// here are refused before New is called.
	Options []Option
	// New builds the file system from validated options. It is called
	// once per plugin process, when the host connects (and again in a new
	// process after a crash). An error here fails the mount with its
	// message, so name the option and the fix.
	New func(ctx context.Context, opts Options) (FileSystem, error)
}

// Option declares one option of a plugin (`plugfs mount --opt name=value`).
type Option struct {
	Name     string
	Help     string
	Default  string
	Required bool
}

// Options are a plugin's validated option values, defaults filled in.
type Options map[string]string

// String returns the value of option name ("" if unset and no default).
func (o Options) String(name string) string { return o[name] }

// Bool parses option name as a boolean ("" is false).
func (o Options) Bool(name string) (bool, error) {
	v := o[name]
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, NewError(CodeInvalid, fmt.Sprintf("option %s=%q: want true or false", name, v))
	}
	return b, nil
}

// Int parses option name as an integer ("" is 0). Suffixes K, M, G, T
// multiply by powers of 1024, so sizes read naturally.
func (o Options) Int(name string) (int64, error) {
	v := o[name]
	if v == "" {
		return 0, nil
	}
	mult := int64(1)
	switch strings.ToUpper(v[len(v)-1:]) {
	case "K":
		mult = 1 << 10
	case "M":
		mult = 1 << 20
	case "G":
		mult = 1 << 30
	case "T":
		mult = 1 << 40
	}
	num := v
	if mult != 1 {
		num = v[:len(v)-1]
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 {
		return 0, NewError(CodeInvalid, fmt.Sprintf("option %s=%q: want a non-negative number, optionally with K, M, G or T", name, v))
	}
	if n > math.MaxInt64/mult {
		return 0, NewError(CodeInvalid, fmt.Sprintf("option %s=%q: too large (at most 8E)", name, v))
	}
	return n * mult, nil
}

// Validate checks raw against the declared options: unknown names and
// missing required options are errors (CodeInvalid) that name the option
// and list the known ones. It returns the options with defaults filled in.
func (p *Plugin) Validate(raw map[string]string) (Options, error) {
	known := make(map[string]Option, len(p.Options))
	for _, o := range p.Options {
		known[o.Name] = o
	}
	var unknown []string
	for k := range raw {
		if _, ok := known[k]; !ok {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, NewError(CodeInvalid, fmt.Sprintf("plugin %s: unknown option %q (%s)", p.Name, unknown[0], p.knownList()))
	}
	out := make(Options, len(p.Options))
	for _, o := range p.Options {
		v, ok := raw[o.Name]
		if !ok {
			if o.Required {
				return nil, NewError(CodeInvalid, fmt.Sprintf("plugin %s: option %q is required: add --opt %s=VALUE (%s)", p.Name, o.Name, o.Name, o.Help))
			}
			v = o.Default
		}
		out[o.Name] = v
	}
	return out, nil
}

func (p *Plugin) knownList() string {
	if len(p.Options) == 0 {
		return "it takes no options"
	}
	names := make([]string, len(p.Options))
	for i, o := range p.Options {
		names[i] = o.Name
	}
	return "known options: " + strings.Join(names, ", ")
}
