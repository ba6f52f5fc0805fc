package kql

import (
	"encoding/json"
	"fmt"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/sigconv/sigconv/pipeline"
	"github.com/sigconv/sigconv/sigma"
)

// The kql_value_map transformation declares how the values of one field
// are written in the selected tables — the same declaration as a
// set_state of kql_values:FIELD with JSON text, written as YAML and
// checked parameter by parameter when the pipeline file loads:
//
//   - type: kql_value_map
//     field: LogonType
//     column: LogonType
//     values: {2: Interactive, 3: Network}
//     why: DeviceLogonEvents writes the SECURITY_LOGON_TYPE names
//     rule_conditions: [{type: logsource, product: windows, service: security}]
//
// It registers before the package loads its own pipelines (package
// variables initialise before init).
var _ = registerValueMap()

func registerValueMap() bool {
	pipeline.RegisterTransformation("kql_value_map", pipeline.TransformationType{
		Keys:  []string{"field", "column", "values", "only", "refuse", "empty", "file_name_column", "why"},
		Build: buildValueMap,
	})
	return true
}

func buildValueMap(p map[string]*yaml.Node) (pipeline.Transformation, error) {
	field := p["field"]
	if field == nil || field.Kind != yaml.ScalarNode || field.Value == "" {
		return nil, errorAt(field, "needs a field")
	}
	vm := valueMap{}
	for key, dst := range map[string]*string{"column": &vm.Column, "refuse": &vm.Refuse, "empty": &vm.Empty, "file_name_column": &vm.FileNameColumn, "why": &vm.Why} {
		if n := p[key]; n != nil {
			if n.Kind != yaml.ScalarNode {
				return nil, pipeline.NodeError(n, "%s must be a text", key)
			}
			*dst = n.Value
		}
	}
	if n := p["only"]; n != nil {
		b, err := strconv.ParseBool(n.Value)
		if n.Kind != yaml.ScalarNode || err != nil {
			return nil, pipeline.NodeError(n, "only must be true or false")
		}
		vm.Only = b
	}
	if n := p["values"]; n != nil {
		if n.Kind != yaml.MappingNode {
			return nil, pipeline.NodeError(n, "values must map each source value to the table's")
		}
		vm.Values = map[string]string{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode || v.Kind != yaml.ScalarNode {
				return nil, pipeline.NodeError(k, "values must map one value to one value")
			}
			if _, dup := vm.Values[k.Value]; dup {
				return nil, pipeline.NodeError(k, "value %q is listed twice", k.Value)
			}
			vm.Values[k.Value] = v.Value
		}
	}
	text, err := json.Marshal(vm)
	if err != nil {
		return nil, err
	}
	if _, err := parseValueMap(string(text)); err != nil {
		return nil, errorAt(field, "field %s: %v", field.Value, err)
	}
	return &pipeline.SetState{
		Key: stateValuesPrefix + field.Value, Value: string(text),
		KeyPos: sigma.Pos{Line: field.Line, Column: field.Column}, ValuePos: sigma.Pos{Line: field.Line, Column: field.Column},
	}, nil
}

// errorAt positions an error at n, or at the item when n is missing.
func errorAt(n *yaml.Node, format string, args ...any) error {
	if n == nil {
		return fmt.Errorf(format, args...)
	}
	return pipeline.NodeError(n, format, args...)
}
