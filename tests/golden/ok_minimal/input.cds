design m
dataset digits
model mlp
target xc7z020clg400-1
objectives {
  minimize fixed_error
}
