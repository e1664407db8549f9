design t
dataset csv "table.csv"
model cnn {
  conv = conv2d
}
target xc7z020clg400-1
objectives {
  minimize fixed_error
}
