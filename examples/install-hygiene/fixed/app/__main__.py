import cv2
import scipy

print("worker", cv2.__version__, scipy.__version__)
