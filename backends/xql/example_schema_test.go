package xql_test

import (
	"fmt"

	"github.com/sigconv/sigconv/backends/xql"
)

// The schema says what the backend believes about an xdr_data column, and
// how a computed column is derived.
func ExampleLoadSchema() {
	s := xql.LoadSchema()
	c, _ := s.Column("action_local_port")
	fmt.Println(c.Type, c.Nullable)
	t, _ := s.Column("sigconv_target_object")
	fmt.Println(t.Expr)
	_, ok := s.Column("action_process_file_original_name")
	fmt.Println(ok)
	// Output:
	// int true
	// if(action_registry_full_key = null, action_registry_key_name, action_registry_full_key)
	// false
}
