design tiny
dataset digits
model mlp
train {
  learning_rate = 0..1e-2 log
}
target xc7z020clg400-1
objectives {
  minimize fixed_error
}
