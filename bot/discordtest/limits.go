package discordtest

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// Discord's documented message limits, checked on every message the fake
// receives. Lengths count Unicode code points, as Discord does.
const (
	MaxContentLength      = 2000 // message content
	MaxEmbeds             = 10   // embeds per message
	MaxEmbedTitle         = 256
	MaxEmbedDescription   = 4096
	MaxEmbedFields        = 25
	MaxEmbedFieldName     = 256
	MaxEmbedFieldValue    = 1024
	MaxEmbedFooterText    = 2048
	MaxEmbedAuthorName    = 256
	MaxEmbedTotal         = 6000 // title, description, field names and values, footer text and author name of all embeds
	MaxActionRows         = 5
	MaxRowComponents      = 5 // buttons per action row
	MaxCustomID           = 100
	MaxButtonLabel        = 80
	MaxSelectOptions      = 25
	MaxAutocompleteChoice = 25 // choices in an autocomplete result
	MaxModalTitle         = 45
	MaxTextInputLabel     = 45
	MaxCommands           = 100 // commands of one type in one bulk overwrite
	MaxCommandOptions     = 25
)

// fieldError is one entry of Discord's "Invalid Form Body" error tree.
type fieldError struct {
	path    []string
	code    string
	message string
}

// formErrorBody builds Discord's 50035 error:
//
//	{"code": 50035, "message": "Invalid Form Body",
//	 "errors": {"content": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "..."}]}}}
func formErrorBody(errs []fieldError) map[string]any {
	root := map[string]any{}
	for _, e := range errs {
		node := root
		for _, p := range e.path {
			child, ok := node[p].(map[string]any)
			if !ok {
				child = map[string]any{}
				node[p] = child
			}
			node = child
		}
		list, _ := node["_errors"].([]any)
		node["_errors"] = append(list, map[string]any{"code": e.code, "message": e.message})
	}
	return map[string]any{"code": codeInvalidFormBody, "message": "Invalid Form Body", "errors": root}
}

// checker collects field errors.
type checker struct{ errs []fieldError }

// at returns base extended by more, without sharing base's array.
func at(base []string, more ...any) []string {
	out := append([]string(nil), base...)
	for _, m := range more {
		out = append(out, fmt.Sprint(m))
	}
	return out
}

// add records one field error.
func (c *checker) add(path []string, code, message string) {
	c.errs = append(c.errs, fieldError{path: path, code: code, message: message})
}

// maxLen checks an optional string.
func (c *checker) maxLen(path []string, v any, max int) {
	if s, ok := v.(string); ok && utf8.RuneCountInString(s) > max {
		c.add(path, "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", max))
	}
}

// lenBetween checks a required string.
func (c *checker) lenBetween(path []string, v any, min, max int) {
	s, _ := v.(string)
	if v == nil || (min > 0 && s == "") {
		c.add(path, "BASE_TYPE_REQUIRED", "This field is required")
		return
	}
	if n := utf8.RuneCountInString(s); n < min || n > max {
		c.add(path, "BASE_TYPE_BAD_LENGTH", fmt.Sprintf("Must be between %d and %d in length.", min, max))
	}
}

// maxItems checks the length of an optional list and returns it.
func (c *checker) maxItems(path []string, v any, max int) []any {
	list, _ := v.([]any)
	if len(list) > max {
		c.add(path, "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", max))
	}
	return list
}

// url checks an optional URL; attachment:// is allowed where Discord allows it.
func (c *checker) url(path []string, v any, allowAttachment bool) {
	s, ok := v.(string)
	if !ok {
		return
	}
	u, err := url.Parse(s)
	good := err == nil && u.Host != "" && (u.Scheme == "http" || u.Scheme == "https")
	if allowAttachment && strings.HasPrefix(s, "attachment://") && len(s) > len("attachment://") {
		good = true
	}
	if !good {
		c.add(path, "URL_TYPE_INVALID_URL", "Not a well formed URL.")
	}
}

// runes counts the code points of a string value (0 for anything else), as
// Discord counts lengths.
func runes(v any) int {
	s, _ := v.(string)
	return utf8.RuneCountInString(s)
}

// object returns v as a JSON object, or nil.
func object(v any) map[string]any { m, _ := v.(map[string]any); return m }

// number returns v as a JSON number truncated to an integer, and whether it is one.
func number(v any) (int64, bool) {
	f, ok := v.(float64)
	return int64(f), ok
}

// validateMessage checks a message object (a new message or an edit) against
// Discord's limits. base is the path of the object in the request body.
func validateMessage(base []string, msg map[string]any) []fieldError {
	c := &checker{}
	c.maxLen(at(base, "content"), msg["content"], MaxContentLength)
	c.embeds(at(base, "embeds"), msg["embeds"])
	flags, _ := number(msg["flags"])
	if flags&int64(discordgo.MessageFlagsIsComponentsV2) != 0 {
		c.customIDs(at(base, "components"), msg["components"], map[string]bool{})
	} else {
		c.messageComponents(at(base, "components"), msg["components"])
	}
	c.allowedMentions(at(base, "allowed_mentions"), msg["allowed_mentions"])
	return c.errs
}

// embeds checks the embeds of a message: their number, each field's length,
// and the total of their text.
func (c *checker) embeds(path []string, v any) {
	list := c.maxItems(path, v, MaxEmbeds)
	total := 0
	for i, e := range list {
		p := at(path, i)
		embed := object(e)
		if embed == nil {
			c.add(p, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
			continue
		}
		c.maxLen(at(p, "title"), embed["title"], MaxEmbedTitle)
		c.maxLen(at(p, "description"), embed["description"], MaxEmbedDescription)
		c.url(at(p, "url"), embed["url"], false)
		if color, ok := number(embed["color"]); ok && (color < 0 || color > 0xFFFFFF) {
			c.add(at(p, "color"), "NUMBER_TYPE_MAX", "int value should be less than or equal to 16777215.")
		}
		total += runes(embed["title"]) + runes(embed["description"])

		fields := c.maxItems(at(p, "fields"), embed["fields"], MaxEmbedFields)
		for j, f := range fields {
			fp := at(p, "fields", j)
			field := object(f)
			c.lenBetween(at(fp, "name"), field["name"], 1, MaxEmbedFieldName)
			c.lenBetween(at(fp, "value"), field["value"], 1, MaxEmbedFieldValue)
			total += runes(field["name"]) + runes(field["value"])
		}
		if footer := object(embed["footer"]); footer != nil {
			c.lenBetween(at(p, "footer", "text"), footer["text"], 1, MaxEmbedFooterText)
			c.url(at(p, "footer", "icon_url"), footer["icon_url"], true)
			total += runes(footer["text"])
		}
		if author := object(embed["author"]); author != nil {
			c.lenBetween(at(p, "author", "name"), author["name"], 1, MaxEmbedAuthorName)
			c.url(at(p, "author", "url"), author["url"], false)
			c.url(at(p, "author", "icon_url"), author["icon_url"], true)
			total += runes(author["name"])
		}
		for _, key := range []string{"image", "thumbnail"} {
			if img := object(embed[key]); img != nil {
				c.url(at(p, key, "url"), img["url"], true)
			}
		}
	}
	if total > MaxEmbedTotal {
		c.add(path, "MAX_EMBED_SIZE_EXCEEDED", fmt.Sprintf("Embed size exceeds maximum size of %d", MaxEmbedTotal))
	}
}

// messageComponents checks classic components: up to 5 action rows of up to
// 5 buttons, or of one select menu.
func (c *checker) messageComponents(path []string, v any) {
	rows := c.maxItems(path, v, MaxActionRows)
	seen := map[string]bool{}
	for i, r := range rows {
		rp := at(path, i)
		row := object(r)
		if t, _ := number(row["type"]); t != int64(discordgo.ActionsRowComponent) {
			c.add(at(rp, "type"), "UNION_TYPE_CHOICES", `Value of field "type" must be one of (1,).`)
			continue
		}
		items, _ := row["components"].([]any)
		if len(items) < 1 || len(items) > MaxRowComponents {
			c.add(at(rp, "components"), "BASE_TYPE_BAD_LENGTH", fmt.Sprintf("Must be between 1 and %d in length.", MaxRowComponents))
		}
		for j, it := range items {
			cp := at(rp, "components", j)
			comp := object(it)
			t, _ := number(comp["type"])
			switch discordgo.ComponentType(t) {
			case discordgo.ButtonComponent:
				c.button(cp, comp)
			case discordgo.SelectMenuComponent, discordgo.UserSelectMenuComponent, discordgo.RoleSelectMenuComponent,
				discordgo.MentionableSelectMenuComponent, discordgo.ChannelSelectMenuComponent:
				if len(items) > 1 {
					c.add(at(rp, "components"), "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "The specified component exceeds the maximum width")
				}
				c.selectMenu(cp, comp)
			default:
				c.add(at(cp, "type"), "UNION_TYPE_CHOICES", fmt.Sprintf("Component type %d is not allowed in an action row of a message", t))
			}
			c.uniqueCustomID(at(cp, "custom_id"), comp["custom_id"], seen)
		}
	}
}

// button checks a button: its style, label, and a custom_id or url as its
// style requires.
func (c *checker) button(p []string, b map[string]any) {
	style, _ := number(b["style"])
	if style < 1 || style > 6 {
		c.add(at(p, "style"), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4, 5, 6}.")
	}
	c.maxLen(at(p, "label"), b["label"], MaxButtonLabel)
	switch discordgo.ButtonStyle(style) {
	case discordgo.LinkButton:
		if b["url"] == nil {
			c.add(at(p, "url"), "BASE_TYPE_REQUIRED", "This field is required")
		}
		c.url(at(p, "url"), b["url"], false)
		if b["custom_id"] != nil {
			c.add(at(p, "custom_id"), "BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED", "A link button cannot have a custom_id")
		}
	case 6: // premium button: refers to a SKU
	default:
		c.lenBetween(at(p, "custom_id"), b["custom_id"], 1, MaxCustomID)
		if b["url"] != nil {
			c.add(at(p, "url"), "BUTTON_COMPONENT_URL_NOT_ALLOWED", "Only link buttons can have a url")
		}
	}
}

// selectMenu checks a select menu: custom_id, placeholder and options.
func (c *checker) selectMenu(p []string, m map[string]any) {
	c.lenBetween(at(p, "custom_id"), m["custom_id"], 1, MaxCustomID)
	c.maxLen(at(p, "placeholder"), m["placeholder"], 150)
	if t, _ := number(m["type"]); discordgo.ComponentType(t) == discordgo.SelectMenuComponent {
		opts, _ := m["options"].([]any)
		if len(opts) < 1 || len(opts) > MaxSelectOptions {
			c.add(at(p, "options"), "BASE_TYPE_BAD_LENGTH", fmt.Sprintf("Must be between 1 and %d in length.", MaxSelectOptions))
		}
		for i, o := range opts {
			opt := object(o)
			c.lenBetween(at(p, "options", i, "label"), opt["label"], 1, 100)
			c.lenBetween(at(p, "options", i, "value"), opt["value"], 1, 100)
			c.maxLen(at(p, "options", i, "description"), opt["description"], 100)
		}
	}
}

// customIDs checks every custom_id in a component tree (components v2).
func (c *checker) customIDs(path []string, v any, seen map[string]bool) {
	list, _ := v.([]any)
	for i, it := range list {
		comp := object(it)
		if id, ok := comp["custom_id"]; ok {
			c.lenBetween(at(path, i, "custom_id"), id, 1, MaxCustomID)
			c.uniqueCustomID(at(path, i, "custom_id"), id, seen)
		}
		c.customIDs(at(path, i, "components"), comp["components"], seen)
		if acc := object(comp["accessory"]); acc != nil {
			c.customIDs(at(path, i), []any{acc}, seen)
		}
	}
}

// uniqueCustomID reports a custom_id already seen in the same message.
func (c *checker) uniqueCustomID(path []string, v any, seen map[string]bool) {
	id, ok := v.(string)
	if !ok || id == "" {
		return
	}
	if seen[id] {
		c.add(path, "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated")
	}
	seen[id] = true
}

// allowedMentions checks allowed_mentions: known parse values, at most 100
// users and 100 roles, and no users (roles) list with "users" ("roles") in parse.
func (c *checker) allowedMentions(path []string, v any) {
	am := object(v)
	if am == nil {
		return
	}
	parse, _ := am["parse"].([]any)
	users := c.maxItems(at(path, "users"), am["users"], 100)
	roles := c.maxItems(at(path, "roles"), am["roles"], 100)
	for i, p := range parse {
		switch p {
		case "users":
			if len(users) > 0 {
				c.add(at(path, "parse"), "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", `parse:["users"] and users: [ids] are mutually exclusive.`)
			}
		case "roles":
			if len(roles) > 0 {
				c.add(at(path, "parse"), "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", `parse:["roles"] and roles: [ids] are mutually exclusive.`)
			}
		case "everyone":
		default:
			c.add(at(path, "parse", i), "BASE_TYPE_CHOICES", "Value must be one of ('roles', 'users', 'everyone').")
		}
	}
}

// validateChoices checks the data of an autocomplete result (callback type 8).
func validateChoices(data map[string]any) []fieldError {
	c := &checker{}
	p := []string{"data", "choices"}
	if data == nil || data["choices"] == nil {
		c.add(p, "BASE_TYPE_REQUIRED", "This field is required")
		return c.errs
	}
	choices := c.maxItems(p, data["choices"], MaxAutocompleteChoice)
	for i, ch := range choices {
		choice := object(ch)
		c.lenBetween(at(p, i, "name"), choice["name"], 1, 100)
		if s, ok := choice["value"].(string); ok {
			c.maxLen(at(p, i, "value"), s, 100)
		} else if _, ok := choice["value"].(float64); !ok {
			c.add(at(p, i, "value"), "BASE_TYPE_REQUIRED", "This field is required")
		}
	}
	return c.errs
}

// validateModal checks the data of a modal (callback type 9): a title, a
// custom_id and 1–5 action rows each holding one text input.
func validateModal(data map[string]any) []fieldError {
	c := &checker{}
	p := []string{"data"}
	if data == nil {
		c.add(p, "BASE_TYPE_REQUIRED", "This field is required")
		return c.errs
	}
	c.lenBetween(at(p, "title"), data["title"], 1, MaxModalTitle)
	c.lenBetween(at(p, "custom_id"), data["custom_id"], 1, MaxCustomID)
	rows, _ := data["components"].([]any)
	if len(rows) < 1 || len(rows) > 5 {
		c.add(at(p, "components"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
	}
	seen := map[string]bool{}
	for i, r := range rows {
		rp := at(p, "components", i)
		row := object(r)
		items, _ := row["components"].([]any)
		if t, _ := number(row["type"]); t != int64(discordgo.ActionsRowComponent) || len(items) != 1 {
			c.add(rp, "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "Each modal row must be an action row holding one text input")
			continue
		}
		in := object(items[0])
		ip := at(rp, "components", 0)
		if t, _ := number(in["type"]); discordgo.ComponentType(t) != discordgo.TextInputComponent {
			c.add(at(ip, "type"), "UNION_TYPE_CHOICES", "Only text inputs are allowed in a modal")
			continue
		}
		c.lenBetween(at(ip, "custom_id"), in["custom_id"], 1, MaxCustomID)
		c.uniqueCustomID(at(ip, "custom_id"), in["custom_id"], seen)
		c.lenBetween(at(ip, "label"), in["label"], 1, MaxTextInputLabel)
		if style, _ := number(in["style"]); style != 1 && style != 2 {
			c.add(at(ip, "style"), "BASE_TYPE_CHOICES", "Value must be one of {1, 2}.")
		}
		c.maxLen(at(ip, "value"), in["value"], 4000)
		c.maxLen(at(ip, "placeholder"), in["placeholder"], 100)
		if n, ok := number(in["min_length"]); ok && (n < 0 || n > 4000) {
			c.add(at(ip, "min_length"), "NUMBER_TYPE_MAX", "int value should be between 0 and 4000.")
		}
		if n, ok := number(in["max_length"]); ok && (n < 1 || n > 4000) {
			c.add(at(ip, "max_length"), "NUMBER_TYPE_MAX", "int value should be between 1 and 4000.")
		}
	}
	return c.errs
}

// commandName is Discord's rule for chat-input command and option names.
var commandName = regexp.MustCompile(`^[-_\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

// validateCommands checks a bulk overwrite of application commands.
func validateCommands(list []any) []fieldError {
	c := &checker{}
	if len(list) > MaxCommands {
		c.add(nil, "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", MaxCommands))
	}
	names := map[string]bool{}
	for i, v := range list {
		p := []string{strconv.Itoa(i)}
		cmd := object(v)
		if cmd == nil {
			c.add(p, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
			continue
		}
		typ, ok := number(cmd["type"])
		if !ok {
			typ = int64(discordgo.ChatApplicationCommand)
		}
		name, _ := cmd["name"].(string)
		if typ == int64(discordgo.ChatApplicationCommand) {
			c.optionName(at(p, "name"), name)
			c.lenBetween(at(p, "description"), cmd["description"], 1, 100)
		} else {
			c.lenBetween(at(p, "name"), cmd["name"], 1, 32)
			if d, _ := cmd["description"].(string); d != "" {
				c.add(at(p, "description"), "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION", "Context menu commands cannot have a description")
			}
		}
		key := fmt.Sprint(typ, "/", name)
		if names[key] {
			c.add(at(p, "name"), "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique")
		}
		names[key] = true
		size := runes(name) + runes(cmd["description"]) + c.options(at(p, "options"), cmd["options"], 0)
		if size > 4000 {
			c.add(p, "APPLICATION_COMMAND_TOO_LARGE", "Command exceeds maximum size (4000)")
		}
	}
	return c.errs
}

// optionName checks a command or option name: lower case, 1 to 32
// characters of letters, digits, "-" and "_".
func (c *checker) optionName(p []string, name string) {
	if !commandName.MatchString(name) || strings.ToLower(name) != name {
		c.add(p, "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
	}
}

// options checks command options (recursing into sub-commands) and returns
// their size in characters, which counts toward the 4000 limit.
func (c *checker) options(p []string, v any, depth int) int {
	opts := c.maxItems(p, v, MaxCommandOptions)
	size := 0
	seenOptional := false
	for i, o := range opts {
		op := at(p, i)
		opt := object(o)
		name, _ := opt["name"].(string)
		c.optionName(at(op, "name"), name)
		c.lenBetween(at(op, "description"), opt["description"], 1, 100)
		size += runes(name) + runes(opt["description"])
		typ, _ := number(opt["type"])
		if typ < 1 || typ > 11 {
			c.add(at(op, "type"), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}.")
		}
		isSub := typ == int64(discordgo.ApplicationCommandOptionSubCommand) || typ == int64(discordgo.ApplicationCommandOptionSubCommandGroup)
		if isSub {
			if depth >= 2 {
				c.add(at(op, "type"), "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Sub-commands nest at most two levels")
			}
			size += c.options(at(op, "options"), opt["options"], depth+1)
			continue
		}
		if required, _ := opt["required"].(bool); required && seenOptional {
			c.add(at(op, "required"), "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID", "Required options must be placed before non-required options")
		} else if !required {
			seenOptional = true
		}
		choices := c.maxItems(at(op, "choices"), opt["choices"], 25)
		for j, ch := range choices {
			choice := object(ch)
			c.lenBetween(at(op, "choices", j, "name"), choice["name"], 1, 100)
			c.maxLen(at(op, "choices", j, "value"), choice["value"], 100)
			size += runes(choice["name"]) + runes(choice["value"])
		}
	}
	return size
}
