package sigma

// Modifier is a value modifier of a detection item key ("Field|contains").
type Modifier uint8

// The modifiers of the Sigma specification 2.1 (appendix "modifiers").
const (
	ModContains Modifier = iota + 1
	ModStartsWith
	ModEndsWith
	ModAll
	ModBase64
	ModBase64Offset
	ModUTF16LE // also written "wide"
	ModUTF16BE
	ModUTF16
	ModWindash
	ModRe
	ModReIgnoreCase // i, ignorecase
	ModReMultiline  // m, multiline
	ModReDotAll     // s, dotall
	ModCIDR
	ModGT
	ModGTE
	ModLT
	ModLTE
	ModNeq
	ModExists
	ModFieldRef
	ModExpand
	ModCased
	ModMinute
	ModHour
	ModDay
	ModWeek
	ModMonth
	ModYear
)

// modifierNames maps every accepted spelling to its modifier.
var modifierNames = map[string]Modifier{
	"contains": ModContains, "startswith": ModStartsWith, "endswith": ModEndsWith,
	"all": ModAll, "base64": ModBase64, "base64offset": ModBase64Offset,
	"utf16le": ModUTF16LE, "wide": ModUTF16LE, "utf16be": ModUTF16BE, "utf16": ModUTF16,
	"windash": ModWindash, "re": ModRe,
	"i": ModReIgnoreCase, "ignorecase": ModReIgnoreCase,
	"m": ModReMultiline, "multiline": ModReMultiline,
	"s": ModReDotAll, "dotall": ModReDotAll,
	"cidr": ModCIDR, "gt": ModGT, "gte": ModGTE, "lt": ModLT, "lte": ModLTE,
	"neq": ModNeq, "exists": ModExists, "fieldref": ModFieldRef, "expand": ModExpand,
	"cased": ModCased, "minute": ModMinute, "hour": ModHour, "day": ModDay,
	"week": ModWeek, "month": ModMonth, "year": ModYear,
}

var modifierCanonical = [...]string{
	ModContains: "contains", ModStartsWith: "startswith", ModEndsWith: "endswith",
	ModAll: "all", ModBase64: "base64", ModBase64Offset: "base64offset",
	ModUTF16LE: "utf16le", ModUTF16BE: "utf16be", ModUTF16: "utf16",
	ModWindash: "windash", ModRe: "re", ModReIgnoreCase: "i", ModReMultiline: "m",
	ModReDotAll: "s", ModCIDR: "cidr", ModGT: "gt", ModGTE: "gte", ModLT: "lt",
	ModLTE: "lte", ModNeq: "neq", ModExists: "exists", ModFieldRef: "fieldref",
	ModExpand: "expand", ModCased: "cased", ModMinute: "minute", ModHour: "hour",
	ModDay: "day", ModWeek: "week", ModMonth: "month", ModYear: "year",
}

// LookupModifier returns the modifier with the given name.
func LookupModifier(name string) (Modifier, bool) {
	m, ok := modifierNames[name]
	return m, ok
}

func (m Modifier) String() string {
	if int(m) < len(modifierCanonical) && modifierCanonical[m] != "" {
		return modifierCanonical[m]
	}
	return "modifier?"
}
