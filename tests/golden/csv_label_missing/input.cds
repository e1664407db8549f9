design t
dataset csv "table.csv" {
  label = "clas"
}
model mlp
target xc7z020clg400-1
objectives {
  minimize fixed_error
}
