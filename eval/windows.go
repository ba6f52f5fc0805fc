package eval

import (
	"fmt"
	"strings"
)

// FlattenWindowsEvent turns a Windows event dumped from EVTX as JSON
// ({"Event": {"System": {...}, "EventData": {...}}}, the shape of
// SigmaHQ's regression data and of evtx_dump) into the flat fields Sigma
// rules name, following the Sigma specification's Windows conventions:
//
//   - every EventData (or UserData element) entry is a field of its own
//     (Image, CommandLine, ...);
//   - System scalars keep their names (EventID, Channel, Computer, ...);
//   - XML attributes are joined to their element with '_'
//     (Provider_Name, Execution_ProcessID, TimeCreated_SystemTime);
//   - spaces are removed from data names ("Source Name" of Windows
//     Defender events becomes SourceName).
//
// EventData wins over System when both have a name. An element's text
// ("#text") becomes the element's own value.
func FlattenWindowsEvent(doc map[string]any) (Event, error) {
	root, ok := doc["Event"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("not a Windows event: no \"Event\" object at the top")
	}
	ev := Event{}
	if sys, ok := root["System"].(map[string]any); ok {
		for k, v := range sys {
			flattenElement(ev, k, v)
		}
	}
	if data, ok := root["EventData"].(map[string]any); ok {
		copyEntries(ev, data)
	}
	if user, ok := root["UserData"].(map[string]any); ok {
		// UserData holds one provider-defined element; its children are
		// the fields.
		for k, v := range user {
			if inner, isMap := v.(map[string]any); isMap && k != "#attributes" {
				copyEntries(ev, inner)
			}
		}
	}
	return ev, nil
}

// flattenElement stores an XML element: scalars as is, attributes as
// name_attr, text as the element's value.
func flattenElement(ev Event, name string, v any) {
	m, ok := v.(map[string]any)
	if !ok {
		ev[name] = v
		return
	}
	if attrs, ok := m["#attributes"].(map[string]any); ok {
		for a, av := range attrs {
			ev[name+"_"+a] = av
		}
	}
	if text, ok := m["#text"]; ok {
		ev[name] = text
	}
}

func copyEntries(ev Event, data map[string]any) {
	for k, v := range data {
		if k == "#attributes" {
			continue
		}
		if m, ok := v.(map[string]any); ok {
			if text, ok := m["#text"]; ok {
				v = text
			}
		}
		ev[strings.ReplaceAll(k, " ", "")] = v
	}
}
