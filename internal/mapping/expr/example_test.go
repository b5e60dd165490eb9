package expr_test

import (
	"fmt"

	"github.com/usersync/usersync/internal/mapping/expr"
)

func Example() {
	e, err := expr.Parse(`Join("$$$", "ImagicleCustomFields", Append("Custom1=", [city]), Append("Custom2=", [jobTitle]))`)
	if err != nil {
		panic(err)
	}
	v, err := e.Eval(expr.Map{"jobTitle": {"R&D Manager"}})
	if err != nil {
		panic(err)
	}
	fields, err := expr.ParseCustomFields(v.String())
	fmt.Println(e.References())
	fmt.Println(v)
	fmt.Printf("%q %v\n", fields["Custom1"], err)
	// Output:
	// [city jobTitle]
	// ImagicleCustomFields$$$Custom1=$$$Custom2=R&D Manager
	// "" <nil>
}

func ExampleParse_error() {
	_, err := expr.Parse(`Join("$$$", Append("x", [city]`)
	fmt.Println(err)
	// Output:
	// expr: at column 31: expected ")" or ",", found end of input
}
