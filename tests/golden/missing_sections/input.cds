design tiny
dataset digits
