design tiny
dataset digits
model mlp {
  hidden_layers = 1
  neurons = 16
}
target xc7z020clg400-1
objectives {
  minimize fixed_error, lut
}
compress {
  prun { sparsity = 0.5 }
  quantise { method = qat }
}
