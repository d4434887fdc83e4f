OK_FORMAT = True

test = {   'name': 'q2',
    'points': 4,
    'suites': [   {   'cases': [   {   'code': '>>> x = np.arange(16.0).reshape(1, 4, 4, 1)\n'
                                               '>>> w = np.ones((2, 2, 1, 1))\n'
                                               '>>> assert conv2d(x, w, np.zeros(1)).shape == (1, 3, 3, 1)\n'
                                               '>>> assert conv2d(x, w, np.zeros(1))[0, 0, 0, 0] == 0 + 1 + 4 + 5\n',
                                       'failure_message': 'a 2x2 kernel of ones on a 4x4 input gives a 3x3 map of window sums',
                                       'hidden': False,
                                       'locked': False,
                                       'points': 1}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
